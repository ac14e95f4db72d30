import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runMain } from '../cli/run-cli.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';
import { FakeGkeApi } from './fake-gke-api.js';
import { FakeGoogleIam } from './fake-google-iam.js';
import { FakeKubeApi, kubeconfigYaml } from './fake-kube-api.js';

const PREDICTION = { predictions: ['one thousand two hundred five'] };
const PRINCIPAL =
  'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/default/sa/aiinfra-gke-sa';

describe('llm-deploy deploy/status/teardown --env-file F for the gke target (loopback GKE + Kubernetes)', () => {
  let gke: FakeGkeApi;
  let kube: FakeKubeApi;
  let gcs: FakeGcs;
  let google: FakeGoogleIam;
  let model: Server;
  let envFile = '';
  let work = '';
  let flags: string[] = [];
  /** `deploy` of the spec with `--verify` against the payload files in the work folder. */
  const verifyingDeploy = (): string[] => [
    'deploy',
    '--env-file',
    envFile,
    ...flags,
    '--verify',
    '-i',
    join(work, 'in.json'),
    '-o',
    join(work, 'out.json'),
  ];

  before(async () => {
    // The "node" answers on 127.0.0.1 at the Service's NodePort: a stand-in server for /infer, so --verify runs for real.
    model = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PREDICTION)));
    });
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    const modelPort = (model.address() as AddressInfo).port;
    kube = new FakeKubeApi({ nodeAddress: '127.0.0.1', nodePorts: [modelPort, modelPort] });
    await kube.start();
    gke = new FakeGkeApi({ operationPolls: 1, clusterEndpoint: kube.url.replace('http://', '') });
    await gke.start();
    gcs = await startFakeGcs();
    google = new FakeGoogleIam();
    await google.start();
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-gke-'));
    envFile = join(work, 'prod.env');
    await writeFile(
      envFile,
      [
        'PROJECT_ID=my-project',
        'ZONE=us-central1-a',
        'NAME_PREFIX=team-a',
        'MODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base',
        'GPU_COUNT_PER_MODEL=1',
        'SERVING_BACKEND=native',
        `STORAGE_EMULATOR_HOST=${gcs.endpoint}`,
      ].join('\n'),
    );
    await writeFile(join(work, 'in.json'), JSON.stringify({ instances: ['number to words: 1205'] }));
    await writeFile(join(work, 'out.json'), JSON.stringify(PREDICTION));
    flags = [
      ...['--gke-endpoint', `http://127.0.0.1:${gke.port}`, '--gke-access-token', 'test', '--kube-insecure-http', '--poll-ms', '10'],
      ...['--resource-manager-endpoint', google.url, '--iam-endpoint', google.url],
    ];
  });

  after(async () => {
    await gke.stop();
    await kube.stop();
    await gcs.close();
    await google.stop();
    await new Promise<void>((resolve) => model.close(() => resolve()));
    await rm(work, { recursive: true, force: true });
  });

  it('--dry-run shows the cluster spec and the manifests and calls nothing', async () => {
    const run = await runMain(['deploy', '--env-file', envFile, '--dry-run', ...flags]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /create GKE cluster team-a-gke in us-central1/);
    assert.match(run.stdout, /1 x 1 node\(s\) of g2-standard-8, 1 x nvidia-l4 each/);
    assert.match(run.stdout, /kind: Deployment/);
    assert.match(
      run.stdout,
      /grant roles\/storage\.objectViewer on gs:\/\/my-bucket to principal:\/\/iam\.googleapis\.com\/projects\/PROJECT_NUMBER\/locations\/global\/workloadIdentityPools\/my-project\.svc\.id\.goog\/subject\/ns\/default\/sa\/[a-z0-9-]+/,
      'the dry run prints every IAM change: role, bucket, member',
    );
    assert.equal(gke.requests.length + kube.requests.length + gcs.seen.length + google.requests.length, 0);
  });

  it('deploy (the real binary) creates the cluster, deploys, prints curl commands and verifies', async () => {
    const run = await runCli(verifyingDeploy());
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /\[1\/9\] check the IAM grants the pods need: done in/);
    assert.match(run.stdout, /\[2\/9\] find or create GKE cluster team-a-gke in us-central1: done in/);
    assert.match(run.stdout, /\[9\/9\] look up node addresses and NodePorts: done in/);
    const viewers = gcs.policies.get('my-bucket')?.bindings.find((binding) => binding.role === 'roles/storage.objectViewer')?.members;
    assert.deepEqual(viewers, [PRINCIPAL], 'the pods may read the model bucket');
    const base = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
    assert.ok(run.stdout.includes(`curl ${base}/health`), run.stdout);
    assert.ok(run.stdout.includes(`curl -X POST ${base}/infer`));
    assert.ok(run.stdout.includes(`${base}/v2/models/fastertransformer`));
    assert.match(run.stdout, /ok: the reply of .*\/infer equals/);
    assert.equal(gke.clusters.size, 1);
  });

  it('status shows the Deployment, pods and NodePorts', async () => {
    const run = await runMain(['status', '--env-file', envFile, ...flags]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /flan-t5-base on team-a-gke: Deployment flan-t5-base 1\/1 ready/);
    assert.match(run.stdout, /NodePorts: http=\d+, kserve=\d+/);
  });

  it('teardown without --yes and without an answer on stdin refuses and deletes nothing', async () => {
    const run = await runMain(['teardown', '--env-file', envFile, ...flags]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Type the cluster name to confirm/);
    assert.match(run.stderr, /no answer on stdin.*nothing was deleted.*--yes/s);
    const wrong = await runMain(['teardown', '--env-file', envFile, ...flags], 'some-other-cluster\n');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /not confirmed: delete GKE cluster team-a-gke; nothing was deleted/);
    assert.equal(kube.count('DELETE', '/'), 0);
    assert.equal(gke.clusters.size, 1);
  });

  it('teardown --yes deletes the objects and the cluster; status then says nothing is deployed', async () => {
    const run = await runMain(['teardown', '--env-file', envFile, '--yes', ...flags]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Deployment\/flan-t5-base: deleted/);
    assert.match(run.stdout, /cluster team-a-gke: deleted/);
    assert.ok(run.stdout.includes(`iam: revoked: roles/storage.objectViewer on gs://my-bucket for ${PRINCIPAL}`), run.stdout);
    assert.deepEqual(gcs.policies.get('my-bucket')?.bindings, []);
    assert.equal(gke.clusters.size, 0);
    const status = await runMain(['status', '--env-file', envFile, ...flags]);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /not found/);
  });

  it('--kubeconfig skips GKE: deploys to the kubeconfig cluster, and teardown never deletes a cluster', async () => {
    const kubeconfig = join(work, 'kubeconfig.yaml');
    await writeFile(kubeconfig, kubeconfigYaml(kube.url, 'kubeconfig-token'));
    const gkeCalls = gke.requests.length;
    kube.requests.length = 0;
    const local = ['--kubeconfig', kubeconfig, '--poll-ms', '10'];
    const run = await runMain(['deploy', '--env-file', envFile, ...local]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\[1\/5\] load kubeconfig: done in/);
    assert.ok(kube.requests.length > 0 && kube.requests.every((request) => request.authorization === 'Bearer kubeconfig-token'));
    assert.equal(kube.count('PATCH', '/daemonsets/'), 0);
    const teardown = await runMain(['teardown', '--env-file', envFile, ...local]);
    assert.equal(teardown.code, 0, teardown.stderr);
    assert.match(teardown.stdout, /Deployment\/flan-t5-base: deleted/);
    assert.match(teardown.stdout, /cluster kept \(reached through a kubeconfig\)/);
    assert.equal(gke.requests.length, gkeCalls, 'GKE is not called');
  });

  it('deploy --cleanup with a failed verify still deletes the objects and the cluster this deploy created, and exits 1', async () => {
    assert.equal(gke.clusters.size, 0);
    await writeFile(join(work, 'wrong.json'), JSON.stringify({ predictions: ['something else'] }));
    const verify = ['--verify', '-i', join(work, 'in.json'), '-o', join(work, 'wrong.json')];
    const run = await runMain(['deploy', '--env-file', envFile, ...flags, ...verify, '--cleanup']);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /differs from/);
    assert.match(run.stdout, /Deployment\/flan-t5-base: deleted/);
    assert.match(run.stdout, /cluster team-a-gke: deleted/);
    assert.equal(gke.clusters.size, 0);
  });

  it('deploy --cleanup keeps a cluster that was there before, even one llm-deploy created', async () => {
    const first = await runMain(['deploy', '--env-file', envFile, ...flags]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(gke.clusters.size, 1);
    const deletes = gke.count('DELETE', '/clusters/');
    const run = await runMain([...verifyingDeploy(), '--cleanup']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Deployment\/flan-t5-base: deleted/);
    assert.match(run.stdout, /cluster team-a-gke kept \(it was there before this deploy\)/);
    assert.equal(gke.clusters.size, 1);
    assert.equal(gke.count('DELETE', '/clusters/'), deletes, 'the cleanup asked GKE to delete the cluster');
    const down = await runMain(['teardown', '--env-file', envFile, '--yes', ...flags]);
    assert.equal(down.code, 0, down.stderr);
  });
});
