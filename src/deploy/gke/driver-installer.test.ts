import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { nvidiaDriverInstaller } from './driver-installer.js';

describe('nvidiaDriverInstaller', () => {
  it('is a valid DaemonSet in kube-system', () => {
    const object = nvidiaDriverInstaller();
    new DaemonSet(JSON.parse(JSON.stringify(object)) as ConstructorParameters<typeof DaemonSet>[0]).validate();
    assert.equal(object.metadata.namespace, 'kube-system');
    assert.equal(object.metadata.name, 'nvidia-driver-installer');
  });

  it('runs only on GPU nodes whose drivers GKE does not manage, as a privileged init container', () => {
    const spec = JSON.parse(JSON.stringify(nvidiaDriverInstaller())).spec.template.spec;
    const terms = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.deepEqual(terms[0].matchExpressions, [
      { key: 'cloud.google.com/gke-accelerator', operator: 'Exists' },
      { key: 'cloud.google.com/gke-gpu-driver-version', operator: 'DoesNotExist' },
    ]);
    assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
    assert.equal(spec.initContainers[0].securityContext.privileged, true);
    assert.equal(spec.initContainers[0].imagePullPolicy, 'Never');
  });

  it('the schema check can fail', () => {
    const broken = { ...nvidiaDriverInstaller(), spec: { selector: 'not an object' } };
    assert.throws(() => new DaemonSet(broken as unknown as ConstructorParameters<typeof DaemonSet>[0]).validate());
  });
});
