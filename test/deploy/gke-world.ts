// The loopback doubles a gke-target deploy talks to, started together: GKE, the cluster's Kubernetes API,
// Cloud Storage (bucket IAM) and Resource Manager + IAM (project number, service-account policies).
import { PassThrough } from 'node:stream';
import { loadSettings, parseEnvFile } from '../../src/config/index.js';
import { createTarget, type CreateTargetOptions, type DeployTarget } from '../../src/deploy/index.js';
import { startFakeGcs, type FakeGcs } from '../storage/fake-gcs-server.js';
import { FakeGkeApi } from './fake-gke-api.js';
import { FakeGoogleIam } from './fake-google-iam.js';
import { FakeKubeApi } from './fake-kube-api.js';
import { nativeUnlessFasterTransformer } from './gke-spec.js';

/** The spec the gke tests start from: a gs:// model, one GPU, my-project in us-central1-a, NAME_PREFIX team-a. */
export const GKE_SPEC: readonly string[] = [
  'MODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base',
  'GPU_COUNT_PER_MODEL=1',
  'PROJECT_ID=my-project',
  'ZONE=us-central1-a',
  'NAME_PREFIX=team-a',
];

/** The running doubles and a gke target of a spec pointed at them. */
export interface GkeWorld {
  readonly kube: FakeKubeApi;
  readonly gke: FakeGkeApi;
  readonly gcs: FakeGcs;
  readonly google: FakeGoogleIam;
  /** The gke target of {@link GKE_SPEC} plus `lines`, pointed at the doubles. */
  target(lines?: readonly string[], options?: Partial<CreateTargetOptions>): DeployTarget;
  /** Requests all doubles received so far. */
  calls(): number;
  stop(): Promise<void>;
}

/** Starts every double on 127.0.0.1. */
export async function startGkeWorld(): Promise<GkeWorld> {
  const kube = new FakeKubeApi();
  await kube.start();
  const gke = new FakeGkeApi({ operationPolls: 1, clusterEndpoint: kube.url.replace('http://', '') });
  await gke.start();
  const gcs = await startFakeGcs();
  const google = new FakeGoogleIam();
  await google.start();
  const endpoint = { apiEndpoint: '127.0.0.1', port: google.port, protocol: 'http' as const };
  const target = (lines: readonly string[] = [], options: Partial<CreateTargetOptions> = {}) => {
    const text = [...GKE_SPEC, `STORAGE_EMULATOR_HOST=${gcs.endpoint}`, ...nativeUnlessFasterTransformer(lines), ...lines].join('\n');
    const envFile = parseEnvFile(text, { file: 'spec.env', env: {} });
    return createTarget(loadSettings({ mode: 'deployment', env: {}, envFile }).settings, {
      gke: { apiEndpoint: '127.0.0.1', port: gke.port, protocol: 'http', accessToken: 'test' },
      resourceManagerEndpoint: endpoint,
      iamEndpoint: endpoint,
      insecureHttp: true,
      pollMs: 5,
      selfCommand: [],
      env: {},
      output: { stdout: new PassThrough(), stderr: new PassThrough() },
      ...options,
    });
  };
  return {
    kube,
    gke,
    gcs,
    google,
    target,
    calls: () => gke.requests.length + kube.requests.length + gcs.seen.length + google.requests.length,
    stop: async () => {
      await gke.stop();
      await kube.stop();
      await gcs.close();
      await google.stop();
    },
  };
}
