// A loopback server speaking the subset of the GKE v1 REST API that `deploy` and `teardown` use:
// create/get/delete a cluster and poll its long-running operation. Real GKE cannot be reached from the
// test machines, so the official @google-cloud/container client (HTTP/JSON fallback) is pointed here.
// A cluster lives at exactly one location (a zone, or a region for a regional cluster): a GET under any
// other location is 404, as on GKE; `locations/-` lists clusters of all zones and regions:
// https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters/list
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake GKE behaves. */
export interface FakeGkeBehaviour {
  /** The bearer token it accepts (default `test`); anything else is a 401. */
  token?: string;
  /** Answer every call with this status (e.g. 403 PERMISSION_DENIED). */
  denyWith?: 401 | 403;
  /** The `endpoint` a cluster reports (host[:port]); default 203.0.113.10. */
  clusterEndpoint?: string;
  /** Operation status reads before DONE (the first reads say PENDING, then RUNNING). */
  operationPolls?: number;
  /** When set, operations end DONE with this error message. */
  operationError?: string;
}

/** One request the fake received. */
export interface RecordedGkeRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly body: unknown;
}

interface Operation {
  readonly name: string;
  readonly type: string;
  reads: number;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
};

/** The fake GKE API server. */
export class FakeGkeApi {
  readonly requests: RecordedGkeRequest[] = [];
  /** Clusters by full resource name (`projects/p/locations/l/clusters/c`). */
  readonly clusters = new Map<string, Record<string, unknown>>();
  private readonly operations = new Map<string, Operation>();
  private server: Server | undefined;
  private nextOperation = 1;
  port = 0;

  constructor(private readonly behaviour: FakeGkeBehaviour = {}) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Adds a cluster as if someone else had created it (no `managed-by` label unless given; `extra` overrides fields such as status). */
  addCluster(name: string, extra: Record<string, unknown> = {}): void {
    const short = name.split('/').pop() ?? name;
    this.clusters.set(name, { ...this.clusterView({ name: short }, locationOf(name)), ...extra });
  }

  /** Requests with this method whose path contains `fragment`. */
  count(method: string, fragment: string): number {
    return this.requests.filter((request) => request.method === method && request.path.includes(fragment)).length;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const authorization = String(request.headers.authorization ?? '');
    this.requests.push({ method, path: url.pathname, authorization, body });
    const [status, payload] = this.route(method, url.pathname, body, authorization);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  }

  private route(method: string, path: string, body: unknown, authorization: string): [number, unknown] {
    if (this.behaviour.denyWith !== undefined) return failure(this.behaviour.denyWith, 'The caller does not have permission');
    if (authorization !== `Bearer ${this.behaviour.token ?? 'test'}`)
      return failure(401, 'Request had invalid authentication credentials.');
    const create = path.match(/^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/clusters$/);
    if (method === 'POST' && create !== null) return this.create(create[1] ?? '', body);
    if (method === 'GET' && create !== null) return this.list(create[1] ?? '');
    const cluster = path.match(/^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/clusters\/[^/]+)$/);
    if (cluster !== null) {
      const name = cluster[1] ?? '';
      const stored = this.clusters.get(name);
      if (stored === undefined) return failure(404, `Not found: ${name}.`);
      if (method === 'GET') return [200, stored];
      if (method === 'DELETE') {
        this.clusters.delete(name);
        return [200, this.operation('DELETE_CLUSTER')];
      }
    }
    const operation = path.match(/^\/v1\/projects\/[^/]+\/locations\/[^/]+\/operations\/([^/]+)$/);
    if (method === 'GET' && operation !== null) return this.poll(operation[1] ?? '');
    return failure(404, `no route for ${method} ${path}`);
  }

  private create(parent: string, body: unknown): [number, unknown] {
    const cluster = isRecord(body) && isRecord(body['cluster']) ? body['cluster'] : undefined;
    const name = typeof cluster?.['name'] === 'string' ? cluster['name'] : '';
    if (cluster === undefined || name === '') return failure(400, 'cluster.name is required');
    const full = `${parent}/clusters/${name}`;
    if (this.clusters.has(full)) return failure(409, `Already exists: ${full}.`);
    const refused = refuseNodePools(cluster);
    if (refused !== undefined) return failure(400, refused);
    this.clusters.set(full, this.clusterView(cluster, locationOf(full)));
    return [200, this.operation('CREATE_CLUSTER')];
  }

  /** `projects/p/locations/-` lists every location's clusters; a named location only its own. */
  private list(parent: string): [number, unknown] {
    const [project, location] = [parent.split('/')[1], locationOf(`${parent}/clusters/x`)];
    const clusters = [...this.clusters.entries()]
      .filter(([name]) => name.split('/')[1] === project && (location === '-' || locationOf(name) === location))
      .map(([, cluster]) => cluster);
    return [200, { clusters }];
  }

  private clusterView(cluster: Record<string, unknown>, location: string): Record<string, unknown> {
    return {
      ...cluster,
      location,
      endpoint: this.behaviour.clusterEndpoint ?? '203.0.113.10',
      masterAuth: { clusterCaCertificate: Buffer.from('fake CA').toString('base64') },
      status: 'RUNNING',
    };
  }

  private operation(type: string): Record<string, unknown> {
    const name = `operation-${this.nextOperation++}`;
    this.operations.set(name, { name, type, reads: 0 });
    return { name, operationType: type, status: 'PENDING' };
  }

  private poll(name: string): [number, unknown] {
    const operation = this.operations.get(name);
    if (operation === undefined) return failure(404, `Not found: operation ${name}.`);
    operation.reads += 1;
    const polls = this.behaviour.operationPolls ?? 2;
    const status = operation.reads > polls ? 'DONE' : operation.reads === 1 ? 'PENDING' : 'RUNNING';
    const error =
      status === 'DONE' && this.behaviour.operationError !== undefined ? { code: 9, message: this.behaviour.operationError } : undefined;
    return [200, { name, operationType: operation.type, status, ...(error === undefined ? {} : { error }) }];
  }
}

function locationOf(fullName: string): string {
  return fullName.split('/')[3] ?? '';
}

/** Disk types a GKE node pool accepts: https://cloud.google.com/kubernetes-engine/docs/concepts/node-pools (NodeConfig.diskType). */
const DISK_TYPES = new Set(['pd-standard', 'pd-balanced', 'pd-ssd', 'hyperdisk-balanced']);

/**
 * What GKE refuses in node pools: an unknown disk type; auto-upgrade off in a cluster subscribed to a
 * release channel (REGULAR when none is given; "Node auto-upgrade defaults to true and cannot be
 * disabled": https://cloud.google.com/kubernetes-engine/docs/reference/rest/Shared.Types/ReleaseChannel);
 * compact placement outside the supported machine families
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement).
 */
function refuseNodePools(cluster: Record<string, unknown>): string | undefined {
  const pools = Array.isArray(cluster['nodePools']) ? (cluster['nodePools'] as unknown[]).filter(isRecord) : [];
  // An explicit releaseChannel whose channel is UNSPECIFIED ("No channel specified") opts out. The client
  // sends enums as numbers (proto3 JSON accepts both): UNSPECIFIED is 0, PlacementPolicy.Type COMPACT is 1.
  const given = isRecord(cluster['releaseChannel']) ? (cluster['releaseChannel']['channel'] ?? 0) : 'REGULAR';
  const channel = given === 0 ? 'UNSPECIFIED' : given;
  for (const pool of pools) {
    const config = isRecord(pool['config']) ? pool['config'] : {};
    const diskType = config['diskType'];
    if (typeof diskType === 'string' && !DISK_TYPES.has(diskType)) return `Invalid disk type "${diskType}".`;
    const management = isRecord(pool['management']) ? pool['management'] : {};
    if (management['autoUpgrade'] === false && channel !== 'UNSPECIFIED') return 'Auto_upgrade must be true when release_channel is set.';
    const placementType = isRecord(pool['placementPolicy']) ? pool['placementPolicy']['type'] : undefined;
    const placement = placementType === 1 ? 'COMPACT' : placementType;
    const family = String(config['machineType'] ?? '').split('-')[0] ?? '';
    if (placement === 'COMPACT' && !COMPACT_FAMILIES.has(family))
      return `Compact placement is not supported for machine type ${String(config['machineType'])}.`;
  }
  return undefined;
}

/** Machine families with compact placement, as the compact-placement page above lists them (A100, L4, H100 GPUs: a2, g2, a3). */
const COMPACT_FAMILIES = new Set(['a2', 'a3', 'g2', 'c2', 'c2d', 'c3', 'c3d', 'c4d', 'h3', 'h4d', 'n2', 'n2d']);

function failure(status: number, message: string): [number, unknown] {
  return [status, { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
