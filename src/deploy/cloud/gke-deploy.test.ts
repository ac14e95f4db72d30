import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterSummary, type ClusterDeployment } from './gke-deploy.js';

const DEPLOYMENT: ClusterDeployment = {
  nodeAddresses: ['34.118.0.21', '34.118.0.22'],
  nodePorts: { http: 31234, kserve: 31817 },
  baseUrl: 'http://34.118.0.21:31234',
  kserveUrl: 'http://34.118.0.21:31817',
  clusterName: 'llm-gke',
  clusterCreatedNow: true,
};

describe('clusterSummary', () => {
  it('lists nodes and NodePorts and gives curl commands for /health, /infer, /ui and /v2', () => {
    const text = clusterSummary(DEPLOYMENT, { apiKeySet: false, example: 'number to words: 1205' });
    assert.match(text, /Nodes: +34\.118\.0\.21, 34\.118\.0\.22/);
    assert.match(text, /NodePorts: +http=31234, kserve=31817/);
    assert.ok(text.includes('curl http://34.118.0.21:31234/health'));
    assert.ok(text.includes(`-d '{"instances":["number to words: 1205"]}'`));
    assert.ok(text.includes('curl http://34.118.0.21:31817/v2/models/fastertransformer'));
    assert.ok(text.includes('http://34.118.0.21:31234/ui'));
    assert.ok(text.includes('--allow tcp:31234,tcp:31817 --source-ranges YOUR_IP/32'));
    assert.ok(!text.includes('Authorization'));
  });

  it('adds the bearer header when an API key guards the server', () => {
    const text = clusterSummary(DEPLOYMENT, { apiKeySet: true, example: 'x' });
    assert.match(text, /\/infer .*-H "Authorization: Bearer \$API_KEY"/);
  });

  it('says so when the cluster reports no node or NodePort', () => {
    const text = clusterSummary(
      { nodeAddresses: [], nodePorts: {}, baseUrl: undefined, kserveUrl: undefined, clusterName: undefined, clusterCreatedNow: false },
      { apiKeySet: false, example: 'x' },
    );
    assert.match(text, /Nodes: +\(none reported\)/);
    assert.ok(!text.includes('curl'));
  });
});
