// A loopback server speaking the subset of the Kubernetes API that `deploy` uses: discovery,
// server-side apply (PATCH application/apply-patch+yaml), GET, DELETE, pods, events, logs, nodes.
// Real clusters cannot be reached from the test machines, so the official client is pointed here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake cluster behaves. */
export interface FakeKubeBehaviour {
  /** Deployment status polls before it reports ready (Infinity: never). */
  deploymentReadyAfterPolls?: number;
  /** Job outcome after `jobPolls` status reads. */
  jobOutcome?: 'succeed' | 'fail';
  jobPolls?: number;
  /** Answer the first `times` requests whose method and path match with `status`. */
  failures?: { method: string; pathIncludes: string; status: number; times: number }[];
  /** The node's ExternalIP (default 203.0.113.7); a test can point it at a loopback server. */
  nodeAddress?: string;
  /** NodePorts given to a Service's ports, in order (default 30500, 30501, ...). */
  nodePorts?: number[];
  /** The serving pod's init container keeps failing (a model fetch that cannot reach its source). */
  initContainerFailing?: boolean;
}

/** One request the fake received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly authorization: string;
  readonly body: string;
}

const RESOURCES: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  '/api/v1': [
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'events', kind: 'Event', namespaced: true },
    { name: 'nodes', kind: 'Node', namespaced: false },
  ],
  '/apis/apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  ],
  '/apis/batch/v1': [{ name: 'jobs', kind: 'Job', namespaced: true }],
  '/apis/autoscaling/v2': [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true }],
  '/apis/policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
};

/** The fake API server. */
export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  /** Applied objects by resource path. */
  readonly objects = new Map<string, Record<string, unknown>>();
  private server: Server | undefined;
  private readonly polls = new Map<string, number>();
  url = '';

  constructor(private readonly behaviour: FakeKubeBehaviour = {}) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Requests with this method whose path contains `fragment`. */
  count(method: string, fragment: string): number {
    return this.requests.filter((request) => request.method === method && request.path.includes(fragment)).length;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname + url.search,
      contentType: String(request.headers['content-type'] ?? ''),
      authorization: String(request.headers.authorization ?? ''),
      body,
    });
    const send = (status: number, payload: unknown, type = 'application/json'): void => {
      response.writeHead(status, { 'content-type': type }).end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const failure = this.behaviour.failures?.find(
      (candidate) => candidate.times > 0 && candidate.method === method && url.pathname.includes(candidate.pathIncludes),
    );
    if (failure !== undefined) {
      failure.times -= 1;
      send(failure.status, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected failure', code: failure.status });
      return;
    }
    const discovery = RESOURCES[url.pathname];
    if (method === 'GET' && discovery !== undefined) {
      send(200, {
        kind: 'APIResourceList',
        groupVersion: url.pathname.replace(/^\/apis?\//, ''),
        resources: discovery.map((resource) => ({ ...resource, singularName: '', verbs: ['get', 'patch', 'delete', 'list'] })),
      });
      return;
    }
    send(...this.route(method, url, body));
  }

  private route(method: string, url: URL, body: string): [number, unknown, string?] {
    const path = url.pathname;
    if (path === '/api/v1/nodes')
      return [
        200,
        {
          kind: 'NodeList',
          apiVersion: 'v1',
          items: [
            {
              metadata: { name: 'gpu-node-1' },
              status: {
                addresses: [
                  { type: 'InternalIP', address: '10.0.0.5' },
                  { type: 'ExternalIP', address: this.behaviour.nodeAddress ?? '203.0.113.7' },
                ],
              },
            },
          ],
        },
      ];
    const podList = path.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/);
    if (podList !== null)
      return [200, { kind: 'PodList', apiVersion: 'v1', items: this.pods(url.searchParams.get('labelSelector') ?? '') }];
    if (/\/pods\/[^/]+\/log$/.test(path))
      return [
        200,
        'loading checkpoint\nerror: CONVERT_TENSOR_MISSING: encoder.block.0.layer.0.SelfAttention.q.weight is missing\n',
        'text/plain',
      ];
    if (/\/namespaces\/[^/]+\/events$/.test(path)) {
      const name = (url.searchParams.get('fieldSelector') ?? '').replace('involvedObject.name=', '');
      return [
        200,
        {
          kind: 'EventList',
          apiVersion: 'v1',
          items: [
            {
              metadata: { name: `${name}.1` },
              involvedObject: { name },
              type: 'Warning',
              reason: 'FailedScheduling',
              message: '0/1 nodes are available: 1 Insufficient nvidia.com/gpu.',
            },
          ],
        },
      ];
    }
    if (method === 'PATCH') {
      // The applied object replaces the stored one: server-side apply with one field manager deletes the fields
      // it stops sending (https://kubernetes.io/docs/reference/using-api/server-side-apply/).
      const object = JSON.parse(body) as Record<string, unknown>;
      const invalid = path.includes('/secrets/') ? secretProblem(object) : undefined;
      if (invalid !== undefined)
        return [422, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 422, reason: 'Invalid', message: invalid }];
      this.objects.set(path, object);
      return [200, object];
    }
    if (method === 'DELETE') {
      const existed = this.objects.delete(path);
      return existed
        ? [200, { kind: 'Status', apiVersion: 'v1', status: 'Success' }]
        : [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' }];
    }
    const stored = this.objects.get(path);
    if (method === 'GET' && stored !== undefined && path.includes('/services/'))
      return [200, withNodePorts(stored, this.behaviour.nodePorts)];
    if (method === 'GET' && stored !== undefined) return [200, { ...stored, status: this.statusOf(path, stored) }];
    return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `${path} not found` }];
  }

  private statusOf(path: string, stored: Record<string, unknown>): Record<string, unknown> {
    const polls = (this.polls.get(path) ?? 0) + 1;
    this.polls.set(path, polls);
    const spec = stored['spec'] as Record<string, unknown> | undefined;
    if (path.includes('/deployments/')) {
      const replicas = Number(spec?.['replicas'] ?? 1);
      const ready = polls > (this.behaviour.deploymentReadyAfterPolls ?? 1);
      return ready
        ? { replicas, readyReplicas: replicas, updatedReplicas: replicas }
        : { replicas, readyReplicas: 0, updatedReplicas: replicas };
    }
    if (path.includes('/jobs/')) {
      if (polls <= (this.behaviour.jobPolls ?? 1)) return { active: 1 };
      return this.behaviour.jobOutcome === 'fail'
        ? { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] }
        : { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    }
    return {};
  }

  private pods(selector: string): unknown[] {
    const jobName = selector.match(/job-name=([^,]+)/)?.[1];
    if (jobName !== undefined)
      return [
        {
          metadata: { name: `${jobName}-x7k2p` },
          status: {
            phase: 'Failed',
            containerStatuses: [{ name: 'convert', ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
          },
        },
      ];
    if (this.behaviour.initContainerFailing === true) return [initFailingPod()];
    return [
      {
        metadata: { name: 'flan-t5-base-6d9f-abcde' },
        status: {
          phase: 'Pending',
          containerStatuses: [
            { name: 'server', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } },
          ],
        },
      },
    ];
  }
}

/**
 * A pod whose init container crash-loops: its own status in `initContainerStatuses`, the app containers waiting with
 * PodInitializing. https://kubernetes.io/docs/tasks/debug/debug-application/debug-init-containers/
 */
function initFailingPod(): unknown {
  return {
    metadata: { name: 'flan-t5-base-6d9f-fghij' },
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'fetch-model',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=fetch-model' } },
          lastState: { terminated: { exitCode: 2, reason: 'Error' } },
        },
      ],
      containerStatuses: [{ name: 'server', ready: false, state: { waiting: { reason: 'PodInitializing' } } }],
    },
  };
}

/** A Service as the API server returns it: each port with an allocated nodePort. */
function withNodePorts(stored: Record<string, unknown>, nodePorts: readonly number[] = []): Record<string, unknown> {
  const spec = stored['spec'] as Record<string, unknown> | undefined;
  const ports = (spec?.['ports'] as Record<string, unknown>[] | undefined) ?? [];
  return { ...stored, spec: { ...spec, ports: ports.map((port, index) => ({ ...port, nodePort: nodePorts[index] ?? 30500 + index })) } };
}

/** A kubeconfig whose current context is the fake at `server`, authenticating with `token`. */
export function kubeconfigYaml(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: loopback\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: tester\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: loopback\n  context:\n    cluster: loopback\n    user: tester',
    'current-context: loopback',
  ].join('\n');
}

// What the API server refuses in a core/v1 Secret: a name that is not a DNS-1123 subdomain, data keys other than
// alphanumerics, '-', '_' and '.', and data values that are not base64 (RFC 4648 section 4).
// https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/
// https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function secretProblem(object: Record<string, unknown>): string | undefined {
  const metadata = object['metadata'] as Record<string, unknown> | undefined;
  const name = String(metadata?.['name'] ?? '');
  if (!DNS_SUBDOMAIN.test(name)) return `Secret "${name}" is invalid: metadata.name: Invalid value: a lowercase RFC 1123 subdomain`;
  const data = (object['data'] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) {
    if (!DATA_KEY.test(key)) return `Secret "${name}" is invalid: data[${key}]: Invalid value: a valid config key`;
    if (typeof value !== 'string' || !BASE64.test(value)) return `Secret "${name}" is invalid: data[${key}]: illegal base64 data`;
  }
  return undefined;
}
