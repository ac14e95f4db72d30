// A loopback server speaking the subset of two Google APIs that `deploy` and `teardown` call for Workload
// Identity; the real ones cannot be reached from the test machines:
// - Resource Manager v3 projects.get (https://cloud.google.com/resource-manager/reference/rest/v3/projects/get):
//   `name` is "projects/{project_number}"; a project the caller cannot see, or one that does not exist, is
//   403 PERMISSION_DENIED.
// - IAM v1 projects.serviceAccounts get, testIamPermissions, getIamPolicy and setIamPolicy
//   (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts): an unknown account is 404
//   NOT_FOUND on get, and PERMISSION_DENIED on the policy methods ("If the service account does not exist, this
//   command returns a PERMISSION_DENIED error": https://cloud.google.com/sdk/gcloud/reference/iam/service-accounts/set-iam-policy);
//   a setIamPolicy whose etag is not the current one is 409 ABORTED (https://cloud.google.com/iam/docs/policies#etag).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A service account's policy as the fake keeps it; the etag changes with every write. */
export interface FakeAccountPolicy {
  readonly etag: string;
  readonly version: number;
  readonly bindings: readonly { role: string; members: string[] }[];
}

/** One request the fake received. */
export interface RecordedIamRequest {
  readonly method: string;
  /** Path without the query, e.g. `/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:setIamPolicy`. */
  readonly path: string;
  readonly authorization: string;
  readonly body: unknown;
}

/** The fake Resource Manager + IAM server. */
export class FakeGoogleIam {
  readonly requests: RecordedIamRequest[] = [];
  /** Project id -> number, for the projects the caller may see. */
  readonly projects = new Map<string, string>([['my-project', '123456789']]);
  /** Existing service accounts (e-mail -> policy). */
  readonly accounts = new Map<string, FakeAccountPolicy>();
  /** Accounts on which the caller lacks iam.serviceAccounts.getIamPolicy/setIamPolicy. */
  readonly denied = new Set<string>();
  /** Accounts whose policy another writer changes right after the next read (once). */
  readonly racing = new Set<string>();
  private server: Server | undefined;
  private etags = 0;
  url = '';
  port = 0;

  constructor(private readonly token = 'test') {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Adds an existing account with an empty (or the given) policy. */
  addAccount(email: string, bindings: FakeAccountPolicy['bindings'] = []): void {
    this.accounts.set(email, { etag: this.nextEtag(), version: 1, bindings });
  }

  /** Requests with this method whose path contains `fragment`. */
  count(method: string, fragment: string): number {
    return this.requests.filter((request) => request.method === method && request.path.includes(fragment)).length;
  }

  private nextEtag(): string {
    this.etags += 1;
    return Buffer.from(`etag-${this.etags}`).toString('base64');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const url = new URL(request.url ?? '/', 'http://fake');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const method = request.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    this.requests.push({ method, path, authorization: request.headers.authorization ?? '', body });
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (request.headers.authorization !== `Bearer ${this.token}`) return send(401, googleError(401, 'UNAUTHENTICATED', 'bad token'));
    const project = /^\/v3\/projects\/([^/:]+)$/.exec(path);
    if (project !== null && method === 'GET') {
      const number = this.projects.get(project[1] ?? '');
      if (number === undefined)
        return send(403, googleError(403, 'PERMISSION_DENIED', `Permission denied on resource project ${project[1] ?? ''}`));
      return send(200, { name: `projects/${number}`, projectId: project[1], state: 'ACTIVE' });
    }
    const account = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+)(?::(\w+))?$/.exec(path);
    if (account !== null) {
      const [status, value] = this.accountRoute(account[2] ?? '', { verb: account[3] ?? 'get', method, body });
      return send(status, value);
    }
    send(404, googleError(404, 'NOT_FOUND', `no route ${method} ${path}`));
  }

  private accountRoute(email: string, call: { verb: string; method: string; body: unknown }): [number, unknown] {
    const current = this.accounts.get(email);
    if (call.verb === 'get' && call.method === 'GET') {
      if (current === undefined) return [404, googleError(404, 'NOT_FOUND', `Unknown service account ${email}`)];
      return [200, { name: `projects/my-project/serviceAccounts/${email}`, email }];
    }
    if (call.method !== 'POST') return [405, googleError(405, 'METHOD_NOT_ALLOWED', call.method)];
    if (current === undefined) return [403, googleError(403, 'PERMISSION_DENIED', `Permission denied on ${email} (or it may not exist)`)];
    const body = typeof call.body === 'object' && call.body !== null ? call.body : {};
    if (call.verb === 'testIamPermissions') {
      const asked =
        'permissions' in body && Array.isArray(body.permissions) ? body.permissions.filter((item) => typeof item === 'string') : [];
      return [200, this.denied.has(email) ? {} : { permissions: asked }];
    }
    if (this.denied.has(email)) return [403, googleError(403, 'PERMISSION_DENIED', `iam.serviceAccounts.${call.verb} denied on ${email}`)];
    if (call.verb === 'getIamPolicy') {
      if (this.racing.delete(email)) this.accounts.set(email, { ...current, etag: this.nextEtag() });
      return [200, current];
    }
    if (call.verb !== 'setIamPolicy') return [404, googleError(404, 'NOT_FOUND', call.verb)];
    const policy = 'policy' in body && typeof body.policy === 'object' && body.policy !== null ? body.policy : undefined;
    if (policy === undefined || !('bindings' in policy) || !Array.isArray(policy.bindings))
      return [400, googleError(400, 'INVALID_ARGUMENT', 'policy needs bindings')];
    const etag = 'etag' in policy && typeof policy.etag === 'string' ? policy.etag : undefined;
    if (etag !== undefined && etag !== current.etag) return [409, googleError(409, 'ABORTED', 'There were concurrent policy changes')];
    const version = 'version' in policy && typeof policy.version === 'number' ? policy.version : 1;
    const stored: FakeAccountPolicy = { etag: this.nextEtag(), version, bindings: policy.bindings as FakeAccountPolicy['bindings'] };
    this.accounts.set(email, stored);
    return [200, stored];
  }
}

function googleError(code: number, status: string, message: string): unknown {
  return { error: { code, status, message } };
}
