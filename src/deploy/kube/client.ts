/**
 * The only importer of @kubernetes/client-node. Turns its API objects and ApiException into our
 * small typed surface ({@link KubeApi}) and our errors, so the deploy flow never sees the SDK.
 */
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { LlmDeployError } from '../../config/index.js';
import { credentialsMissing } from '../errors.js';
import type { KubeObject } from '../manifests/types.js';

/** Where the cluster is: a kubeconfig file (or the default one), or an endpoint with a CA and a bearer token (GKE). */
export type KubeConnection =
  | { readonly kind: 'kubeconfig'; readonly path?: string; readonly context?: string }
  | {
      readonly kind: 'endpoint';
      readonly server: string;
      readonly caData?: string;
      readonly token: string;
      readonly skipTlsVerify?: boolean;
    };

/** An HTTP failure from the API server, with its status code (0 when there was no answer). */
export class KubeRequestError extends LlmDeployError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(status === 0 ? `Kubernetes API did not answer: ${detail}` : `Kubernetes API answered ${status}: ${detail}`, {
      code: 'DEPLOY_KUBE_REQUEST_FAILED',
      httpStatus: 502,
    });
    this.name = 'KubeRequestError';
  }
}

/** A pod as the deploy flow needs it. */
export interface PodSummary {
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  /** Short reasons of containers that are waiting or crashed (e.g. ImagePullBackOff). */
  readonly problems: readonly string[];
}

/** The Kubernetes calls the deploy flow makes. */
export interface KubeApi {
  /** Server-side apply (field manager `llm-deploy`, force): creates or updates; unchanged objects stay unchanged. */
  apply(object: KubeObject): Promise<void>;
  /** The object's status as plain JSON, or undefined when it does not exist. */
  readStatus(object: KubeObject): Promise<Record<string, unknown> | undefined>;
  /** The object's annotations (empty when it has none), or undefined when it does not exist. */
  readAnnotations(object: KubeObject): Promise<Record<string, string> | undefined>;
  delete(object: KubeObject): Promise<'deleted' | 'absent'>;
  listPods(namespace: string, labelSelector: string): Promise<PodSummary[]>;
  /** "Reason: message" lines of the events about one object, oldest first. */
  listEvents(namespace: string, objectName: string): Promise<string[]>;
  podLogs(namespace: string, pod: string, tailLines: number): Promise<string>;
  /** External (else internal) addresses of the nodes. */
  nodeAddresses(): Promise<string[]>;
  /** NodePorts of a Service by port name. */
  nodePorts(namespace: string, service: string): Promise<Record<string, number>>;
}

/** Builds the client for a connection; throws DEPLOY_CREDENTIALS_MISSING when no kubeconfig can be loaded. */
export function createKubeApi(connection: KubeConnection): KubeApi {
  const config = new KubeConfig();
  try {
    if (connection.kind === 'kubeconfig') {
      if (connection.path === undefined) config.loadFromDefault();
      else config.loadFromFile(connection.path);
      if (connection.context !== undefined) config.setCurrentContext(connection.context);
    } else {
      config.loadFromClusterAndUser(
        {
          name: 'target',
          server: connection.server,
          skipTLSVerify: connection.skipTlsVerify ?? false,
          ...(connection.caData === undefined ? {} : { caData: connection.caData }),
        },
        { name: 'llm-deploy', token: connection.token },
      );
    }
  } catch (cause) {
    throw credentialsMissing(`cannot load a kubeconfig: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (config.getCurrentCluster() === null)
    throw credentialsMissing('no Kubernetes cluster configured (the kubeconfig has no current context)');
  return new SdkKubeApi(config);
}

class SdkKubeApi implements KubeApi {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(config: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(CoreV1Api);
  }

  async apply(object: KubeObject): Promise<void> {
    await call(() => this.objects.patch(object, undefined, undefined, 'llm-deploy', true, PatchStrategy.ServerSideApply));
  }

  async readStatus(object: KubeObject): Promise<Record<string, unknown> | undefined> {
    const found = await this.read(object);
    if (found === undefined) return undefined;
    const status = found['status'];
    return typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
  }

  async readAnnotations(object: KubeObject): Promise<Record<string, string> | undefined> {
    const found = await this.read(object);
    if (found === undefined) return undefined;
    const metadata = found['metadata'];
    const annotations = typeof metadata === 'object' && metadata !== null && 'annotations' in metadata ? metadata.annotations : undefined;
    if (typeof annotations !== 'object' || annotations === null) return {};
    return Object.fromEntries(Object.entries(annotations).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /** The object as plain JSON, or undefined when it does not exist. */
  private async read(object: KubeObject): Promise<Record<string, unknown> | undefined> {
    try {
      const found = await call(() =>
        this.objects.read({
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: object.metadata.name, namespace: object.metadata.namespace ?? 'default' },
        }),
      );
      const plain: unknown = JSON.parse(JSON.stringify(found));
      return typeof plain === 'object' && plain !== null ? (plain as Record<string, unknown>) : {};
    } catch (error) {
      if (error instanceof KubeRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  async delete(object: KubeObject): Promise<'deleted' | 'absent'> {
    try {
      await call(() => this.objects.delete(object, undefined, undefined, undefined, undefined, 'Foreground'));
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeRequestError && error.status === 404) return 'absent';
      throw error;
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodSummary[]> {
    const list = await call(() => this.core.listNamespacedPod({ namespace, labelSelector }));
    return list.items.map((pod) => {
      const statuses = pod.status?.containerStatuses ?? [];
      // init containers (the model fetch of an engine pod) report apart from the app containers, which wait with PodInitializing:
      // https://kubernetes.io/docs/tasks/debug/debug-application/debug-init-containers/
      const problems = [...(pod.status?.initContainerStatuses ?? []), ...statuses].flatMap((status) => {
        const waiting = status.state?.waiting;
        const terminated = status.state?.terminated;
        if (waiting?.reason !== undefined)
          return [`${status.name}: ${waiting.reason}${waiting.message === undefined ? '' : ` (${waiting.message})`}`];
        if (terminated !== undefined && terminated.exitCode !== 0)
          return [`${status.name}: exited ${terminated.exitCode} ${terminated.reason ?? ''}`.trim()];
        return [];
      });
      return {
        name: pod.metadata?.name ?? '?',
        phase: pod.status?.phase ?? 'Unknown',
        ready: statuses.length > 0 && statuses.every((status) => status.ready),
        problems,
      };
    });
  }

  async listEvents(namespace: string, objectName: string): Promise<string[]> {
    const list = await call(() => this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${objectName}` }));
    return list.items.map((event) => `${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`.trim());
  }

  async podLogs(namespace: string, pod: string, tailLines: number): Promise<string> {
    return call(() => this.core.readNamespacedPodLog({ name: pod, namespace, tailLines }));
  }

  async nodeAddresses(): Promise<string[]> {
    const list = await call(() => this.core.listNode());
    return list.items.flatMap((node) => {
      const addresses = node.status?.addresses ?? [];
      const external =
        addresses.find((address) => address.type === 'ExternalIP') ?? addresses.find((address) => address.type === 'InternalIP');
      return external === undefined ? [] : [external.address];
    });
  }

  async nodePorts(namespace: string, service: string): Promise<Record<string, number>> {
    const found = await call(() => this.core.readNamespacedService({ name: service, namespace }));
    return Object.fromEntries(
      (found.spec?.ports ?? []).flatMap((port) => (port.nodePort === undefined ? [] : [[port.name ?? String(port.port), port.nodePort]])),
    );
  }
}

/** Runs an SDK call, turning ApiException and network failures into KubeRequestError. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown = error.body;
      const detail = typeof body === 'string' ? body : JSON.stringify(body);
      throw new KubeRequestError(error.code, detail.slice(0, 1000));
    }
    throw new KubeRequestError(0, error instanceof Error ? error.message : String(error));
  }
}
