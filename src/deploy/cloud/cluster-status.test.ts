import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeRequestError, type KubeApi } from '../kube/client.js';
import type { ManifestOptions } from '../manifests/options.js';
import { clusterReady, clusterStatus, formatClusterStatus } from './cluster-status.js';

const MANIFEST = {
  name: 'flan',
  namespace: 'serving',
  replicas: 2,
  image: 'ghcr.io/llm-deploy/llm-deploy:release',
  server: { env: {}, secrets: {} },
} as const satisfies Partial<ManifestOptions>;

function api(overrides: Partial<KubeApi>): KubeApi {
  const fail = () => Promise.reject(new Error('not expected in this test'));
  return {
    apply: fail,
    readStatus: () => Promise.resolve(undefined),
    readAnnotations: () => Promise.resolve(undefined),
    delete: fail,
    listPods: () => Promise.resolve([]),
    listEvents: () => Promise.resolve([]),
    podLogs: fail,
    nodeAddresses: () => Promise.resolve(['198.51.100.2']),
    nodePorts: () => Promise.reject(new KubeRequestError(404, 'services "flan" not found')),
    ...overrides,
  };
}

describe('clusterStatus', () => {
  it('says not deployed when there is no Deployment (a missing Service is not an error)', async () => {
    const status = await clusterStatus(api({}), MANIFEST as unknown as ManifestOptions);
    assert.equal(status.deployment, undefined);
    assert.equal(clusterReady(status), false);
    assert.equal(formatClusterStatus(status, 'flan'), 'flan: not deployed (no Deployment)\n');
  });

  it('counts ready replicas against REPLICAS and lists pod problems with the serving selector', async () => {
    let selector = '';
    const status = await clusterStatus(
      api({
        readStatus: () => Promise.resolve({ readyReplicas: 1, updatedReplicas: 2 }),
        listPods: (namespace, labelSelector) => {
          assert.equal(namespace, 'serving');
          selector = labelSelector;
          return Promise.resolve([
            { name: 'flan-a', phase: 'Running', ready: true, problems: [] },
            { name: 'flan-b', phase: 'Pending', ready: false, problems: ['server: CrashLoopBackOff'] },
          ]);
        },
        nodePorts: () => Promise.resolve({ http: 31000, kserve: 31001 }),
      }),
      MANIFEST as unknown as ManifestOptions,
    );
    assert.match(selector, /app\.kubernetes\.io\/instance=flan/);
    assert.match(selector, /llm-deploy\/role=server/);
    assert.equal(clusterReady(status), false);
    const text = formatClusterStatus(status, 'flan');
    assert.match(text, /Deployment flan 1\/2 ready, 2\/2 updated \(NOT ready\)/);
    assert.match(text, /pod flan-b: Pending; server: CrashLoopBackOff/);
    assert.match(text, /HTTP API: http:\/\/198\.51\.100\.2:31000/);
  });

  it('other API failures are not hidden', async () => {
    const broken = api({
      readStatus: () => Promise.resolve({}),
      nodePorts: () => Promise.reject(new KubeRequestError(403, 'forbidden')),
    });
    await assert.rejects(clusterStatus(broken, MANIFEST as unknown as ManifestOptions), /403/);
  });
});
