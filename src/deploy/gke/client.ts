/**
 * The only importer of @google-cloud/container and google-auth-library. GKE is called over HTTP/JSON
 * (gax `fallback`), so tests can point it at a loopback server with `apiEndpoint`/`port`/`protocol`.
 */
import { ClusterManagerClient, type protos } from '@google-cloud/container';
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialsMissing, deployStepFailed, deployTimedOut } from '../errors.js';

/** The GPU cluster `deploy` creates when EXISTING_CLUSTER_ID is empty. */
export interface GkeClusterSpec {
  readonly projectId: string;
  /** Where the control plane lives: a region (regional cluster) or a zone (zonal cluster). */
  readonly location: string;
  /** The one zone of the GPU node pools (`Cluster.locations`); undefined leaves GKE's default zones. */
  readonly nodeLocation: string | undefined;
  readonly name: string;
  readonly gkeVersion: string;
  readonly machineType: string;
  readonly acceleratorType: string;
  readonly gpuCountPerNode: number;
  readonly nodePoolCount: number;
  readonly nodeCountPerPool: number;
  readonly serviceAccount: string | undefined;
  readonly diskSizeGb: number;
  readonly diskType: string;
  /** `placementPolicy: COMPACT` on every GPU pool. */
  readonly compactPlacement: boolean;
}

/** The label `deploy` puts on clusters it creates; `teardown` deletes only clusters that carry it. */
export const MANAGED_BY_LABEL: Readonly<Record<string, string>> = Object.freeze({ 'managed-by': 'llm-deploy' });

/** What the Kubernetes client needs to reach a cluster, and who made it. */
export interface GkeClusterAccess {
  readonly name: string;
  /** The zone or region GKE reports for it (`Cluster.location`). */
  readonly location: string;
  /** `https://<endpoint>` of the control plane. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA. */
  readonly caData: string;
  readonly status: string;
  readonly resourceLabels: Readonly<Record<string, string>>;
  /** True when the cluster carries {@link MANAGED_BY_LABEL}. */
  readonly createdByLlmDeploy: boolean;
}

/** How to reach the GKE API; defaults are the real service with Application Default Credentials. */
export interface GkeClientOptions {
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** A fixed access token (tests, or a token from `gcloud auth print-access-token`). */
  readonly accessToken?: string;
  readonly operationTimeoutMs?: number;
  readonly pollMs?: number;
}

/** The GKE calls `deploy` and `teardown` make. */
export interface GkeApi {
  getCluster(projectId: string, location: string, name: string): Promise<GkeClusterAccess | undefined>;
  /** Every cluster of that name in the project, zonal or regional (one list of `locations/-`). */
  findClusters(projectId: string, name: string): Promise<GkeClusterAccess[]>;
  /** Creates the cluster with one GPU node pool per GKE_NODE_POOL_COUNT and waits for the operation. */
  createCluster(spec: GkeClusterSpec, onProgress?: (message: string) => void): Promise<void>;
  deleteCluster(projectId: string, location: string, name: string, onProgress?: (message: string) => void): Promise<void>;
  /** An OAuth access token for the cluster's Kubernetes API. */
  accessToken(): Promise<string>;
}

/** Builds the GKE client. */
export function createGkeApi(options: GkeClientOptions = {}): GkeApi {
  const authClient = options.accessToken === undefined ? undefined : fixedTokenClient(options.accessToken);
  const auth = new GoogleAuth({
    scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    ...(authClient === undefined ? {} : { authClient }),
  });
  const clientOptions: NonNullable<ConstructorParameters<typeof ClusterManagerClient>[0]> = { fallback: true };
  if (options.apiEndpoint !== undefined) clientOptions.apiEndpoint = options.apiEndpoint;
  if (options.port !== undefined) clientOptions.port = options.port;
  if (options.protocol !== undefined) clientOptions.protocol = options.protocol;
  // gax types `auth` as GoogleAuth<JSONClient>; an OAuth2Client with a fixed token works the same at runtime.
  clientOptions.auth = auth as unknown as NonNullable<typeof clientOptions.auth>;
  const client = new ClusterManagerClient(clientOptions);
  return new SdkGkeApi(client, auth, authClient, options);
}

function fixedTokenClient(token: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3600_000 });
  return client;
}

class SdkGkeApi implements GkeApi {
  private credentialsChecked = false;

  constructor(
    private readonly client: ClusterManagerClient,
    private readonly auth: { getClient(): Promise<{ getAccessToken(): Promise<{ token?: string | null }> }> },
    private readonly tokenClient: OAuth2Client | undefined,
    private readonly options: GkeClientOptions,
  ) {}

  async getCluster(projectId: string, location: string, name: string): Promise<GkeClusterAccess | undefined> {
    await this.ensureCredentials();
    try {
      const [cluster] = await this.client.getCluster({ name: `projects/${projectId}/locations/${location}/clusters/${name}` });
      return clusterAccess(cluster, location);
    } catch (error) {
      if (grpcCode(error) === 5) return undefined; // NOT_FOUND
      throw asDeployError(`get cluster ${name}`, error);
    }
  }

  async findClusters(projectId: string, name: string): Promise<GkeClusterAccess[]> {
    await this.ensureCredentials();
    try {
      // "Location "-" matches all zones and all regions":
      // https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters/list
      const [response] = await this.client.listClusters({ parent: `projects/${projectId}/locations/-` });
      return (response.clusters ?? []).filter((cluster) => cluster.name === name).map((cluster) => clusterAccess(cluster, ''));
    } catch (error) {
      throw asDeployError(`list clusters of project ${projectId}`, error);
    }
  }

  async createCluster(spec: GkeClusterSpec, onProgress?: (message: string) => void): Promise<void> {
    await this.ensureCredentials();
    const parent = `projects/${spec.projectId}/locations/${spec.location}`;
    const nodePools = Array.from({ length: spec.nodePoolCount }, (_, index): protos.google.container.v1.INodePool => ({
      name: `gpu-pool-${index + 1}`,
      initialNodeCount: spec.nodeCountPerPool,
      // Auto-upgrade drains and re-creates serving nodes on GKE's schedule (a GPU pool has no spare to
      // move the model to, so each upgrade is an outage); upgrades are left to the operator. Repair stays on.
      management: { autoUpgrade: false, autoRepair: true },
      ...(spec.compactPlacement ? { placementPolicy: { type: 'COMPACT' as const } } : {}),
      config: {
        diskSizeGb: spec.diskSizeGb,
        diskType: spec.diskType,
        machineType: spec.machineType,
        accelerators: [
          {
            acceleratorType: spec.acceleratorType,
            acceleratorCount: spec.gpuCountPerNode,
            gpuDriverInstallationConfig: { gpuDriverVersion: 'DEFAULT' },
          },
        ],
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        serviceAccount: spec.serviceAccount ?? null,
      },
    }));
    const cluster: protos.google.container.v1.ICluster = {
      name: spec.name,
      initialClusterVersion: spec.gkeVersion === 'latest' ? null : spec.gkeVersion,
      workloadIdentityConfig: { workloadPool: `${spec.projectId}.svc.id.goog` },
      resourceLabels: { ...MANAGED_BY_LABEL },
      // Node auto-upgrade "cannot be disabled" in a release channel (REGULAR is GKE's default):
      // https://cloud.google.com/kubernetes-engine/docs/reference/rest/Shared.Types/ReleaseChannel
      releaseChannel: { channel: 'UNSPECIFIED' },
      // A regional control plane with its nodes in one zone: without it GKE puts a pool's nodes in three zones.
      ...(spec.nodeLocation === undefined ? {} : { locations: [spec.nodeLocation] }),
      nodePools,
    };
    let operationName: string;
    try {
      const [operation] = await this.client.createCluster({ parent, cluster });
      operationName = operation.name ?? '';
    } catch (error) {
      throw asDeployError(`create cluster ${spec.name}`, error);
    }
    await this.waitForOperation(`${parent}/operations/${operationName}`, `create cluster ${spec.name}`, onProgress);
  }

  async deleteCluster(projectId: string, location: string, name: string, onProgress?: (message: string) => void): Promise<void> {
    await this.ensureCredentials();
    const parent = `projects/${projectId}/locations/${location}`;
    let operationName: string;
    try {
      const [operation] = await this.client.deleteCluster({ name: `${parent}/clusters/${name}` });
      operationName = operation.name ?? '';
    } catch (error) {
      if (grpcCode(error) === 5) return;
      throw asDeployError(`delete cluster ${name}`, error);
    }
    await this.waitForOperation(`${parent}/operations/${operationName}`, `delete cluster ${name}`, onProgress);
  }

  async accessToken(): Promise<string> {
    try {
      const client = this.tokenClient ?? (await this.auth.getClient());
      const token = await client.getAccessToken();
      if (token?.token === undefined || token.token === null)
        throw credentialsMissing('no access token from Application Default Credentials');
      return token.token;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'DEPLOY_CREDENTIALS_MISSING') throw error;
      throw credentialsMissing(`cannot get Google credentials: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Fails early, with what to provide, when no Google credentials can be found (the SDK would say it mid-call). */
  private async ensureCredentials(): Promise<void> {
    if (this.tokenClient !== undefined || this.credentialsChecked) return;
    try {
      await this.auth.getClient();
    } catch (error) {
      throw credentialsMissing(`no Google credentials: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.credentialsChecked = true;
  }

  private async waitForOperation(name: string, what: string, onProgress?: (message: string) => void): Promise<void> {
    const deadline = Date.now() + (this.options.operationTimeoutMs ?? 45 * 60_000);
    let last = '';
    while (Date.now() < deadline) {
      let operation;
      try {
        [operation] = await this.client.getOperation({ name });
      } catch (error) {
        throw asDeployError(`${what} (operation ${name})`, error);
      }
      const status = String(operation.status ?? 'UNKNOWN');
      if (status !== last) onProgress?.(`${what}: ${status}${operation.detail ? ` (${operation.detail})` : ''}`);
      last = status;
      if (status === 'DONE') {
        if (operation.error?.message) throw deployStepFailed(what, operation.error.message);
        return;
      }
      await sleep(this.options.pollMs ?? 10_000);
    }
    throw deployTimedOut(what, `operation ${name} still ${last}`);
  }
}

function clusterAccess(cluster: protos.google.container.v1.ICluster, location: string): GkeClusterAccess {
  const resourceLabels: Record<string, string> = { ...(cluster.resourceLabels ?? {}) };
  return {
    name: cluster.name ?? '',
    location: cluster.location ?? location,
    endpoint: `https://${cluster.endpoint ?? ''}`,
    caData: cluster.masterAuth?.clusterCaCertificate ?? '',
    status: String(cluster.status ?? 'UNKNOWN'),
    resourceLabels,
    createdByLlmDeploy: Object.entries(MANAGED_BY_LABEL).every(([key, value]) => resourceLabels[key] === value),
  };
}

function grpcCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}

function asDeployError(what: string, error: unknown): Error {
  const code = grpcCode(error);
  if (code === 16 || code === 7)
    return credentialsMissing(`${what}: permission denied or unauthenticated (${error instanceof Error ? error.message : String(error)})`);
  return deployStepFailed(what, error instanceof Error ? error.message : String(error), error);
}
