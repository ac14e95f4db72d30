import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { createTarget, type CreateTargetOptions } from '../../src/deploy/index.js';
import { FakeKubeApi, kubeconfigYaml } from './fake-kube-api.js';
import { gkeSpecSettings } from './gke-spec.js';
import { runTargetContract } from './target-contract.js';

const settings = gkeSpecSettings;

const PROCESS: Pick<CreateTargetOptions, 'selfCommand' | 'env' | 'output'> = {
  selfCommand: [],
  env: {},
  output: { stdout: new PassThrough(), stderr: new PassThrough() },
};

/** A kubeconfig whose current context is the loopback API server, with a bearer token. */
async function kubeconfigFor(server: string): Promise<{ path: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-kubeconfig-'));
  const path = join(dir, 'kubeconfig.yaml');
  await writeFile(path, kubeconfigYaml(server, 'kubeconfig-token'));
  return { path, dir };
}

runTargetContract({
  title: 'kubeconfig (loopback Kubernetes API)',
  create: async () => {
    const kube = new FakeKubeApi();
    await kube.start();
    const kubeconfig = await kubeconfigFor(kube.url);
    const target = createTarget(settings(), { ...PROCESS, kubeconfig: kubeconfig.path, namespace: 'serving', pollMs: 5 });
    assert.equal(target.kind, 'kubeconfig');
    assert.match(target.describe(), /kubeconfig .*kubeconfig\.yaml, namespace serving/);
    return {
      target,
      name: 'flan-t5-base',
      calls: () => Promise.resolve(kube.requests.length),
      assertReplaced: (first, second) => {
        assert.deepEqual(second.details['deployment'], first.details['deployment'], 'the same Deployment, re-applied');
        assert.ok(kube.requests.every((request) => request.authorization === 'Bearer kubeconfig-token'));
        assert.ok(
          kube.requests.every((request) => !request.path.includes('/namespaces/') || request.path.includes('/namespaces/serving/')),
        );
      },
      close: async () => {
        await kube.stop();
        await rm(kubeconfig.dir, { recursive: true, force: true });
      },
    };
  },
});

describe('createTarget', () => {
  it('picks the target from DEPLOY_TARGET and the kubeconfig/context options', () => {
    assert.equal(createTarget(settings(['ZONE=us-central1-a']), PROCESS).kind, 'gke');
    assert.equal(createTarget(settings(), { ...PROCESS, context: 'prod' }).kind, 'kubeconfig');
    assert.equal(createTarget(settings(['DEPLOY_TARGET=local']), PROCESS).kind, 'local');
  });

  it('refuses a kubeconfig or context on the local target instead of ignoring it', () => {
    assert.throws(
      () => createTarget(settings(['DEPLOY_TARGET=local']), { ...PROCESS, kubeconfig: '/tmp/kubeconfig' }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'DEPLOY_TARGET_CONFLICT' && error.field === '--kubeconfig',
    );
  });
});
