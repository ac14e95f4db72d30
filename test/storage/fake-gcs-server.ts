// A loopback stand-in for the subset of the Cloud Storage JSON API that @google-cloud/storage uses
// for llm-deploy (list, metadata, media download, multipart and resumable upload, delete, bucket IAM), with
// fault injection. Real GCS cannot be reached from the test machines.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Castagnoli CRC (what GCS reports as crc32c), big-endian base64 as in object metadata. */
export function crc32cBase64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

/**
 * Why real Cloud Storage refuses this object name, or undefined when it accepts it. Per
 * https://cloud.google.com/storage/docs/naming-objects a name is 1-1024 bytes of UTF-8, has no CR or LF,
 * is not `.` or `..`, and does not start with `.well-known/acme-challenge/`. Everything else is accepted,
 * `m/../../x`, `a//b`, backslashes and NUL included, so the fake accepts those too.
 */
export function refusedObjectName(name: string): string | undefined {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > 1024) return `object name must be 1-1024 bytes of UTF-8, got ${bytes}`;
  if (/[\r\n]/.test(name)) return 'object name must not contain carriage return or line feed';
  if (name === '.' || name === '..') return 'object name must not be "." or ".."';
  if (name.startsWith('.well-known/acme-challenge/')) return 'object name must not start with .well-known/acme-challenge/';
  return undefined;
}

interface StoredObject {
  data: Buffer;
  generation: number;
}

/** A bucket's IAM policy as the fake keeps it; the etag changes with every write. */
export interface FakePolicy {
  readonly etag: string;
  readonly version: number;
  readonly bindings: readonly { role: string; members: string[]; condition?: unknown }[];
}

interface UploadSession {
  bucket: string;
  name: string;
  received: Buffer;
  done: boolean;
}

/** One request as the fake saw it (for asserting order). */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly objectName?: string;
  readonly contentRange?: string;
}

/** The running fake: its endpoint, its objects and its fault switches. */
export interface FakeGcs {
  readonly endpoint: string;
  readonly objects: Map<string, StoredObject>;
  readonly seen: SeenRequest[];
  /** Object names whose downloads come back with one byte flipped (hash headers stay the original's). */
  readonly corruptDownloads: Set<string>;
  /** Object name -> bytes after which the next resumable PUT for it loses its connection (once). */
  readonly interruptUploads: Map<string, number>;
  /** Object names whose uploads always fail with 503. */
  readonly failUploads: Set<string>;
  /** Bucket IAM policies (bucket -> policy); a bucket absent here has an empty policy. */
  readonly policies: Map<string, FakePolicy>;
  /** Buckets whose IAM policy the caller may not read or set: 403, as for a caller without storage.buckets.*IamPolicy. */
  readonly denyIam: Set<string>;
  /** Buckets whose policy another writer changes right after the next read (once): the following write's etag is stale. */
  readonly racePolicies: Set<string>;
  /** Stores an object directly; throws for a name real GCS would refuse (so no test relies on one). */
  put(bucket: string, name: string, data: Buffer): void;
  get(bucket: string, name: string): Buffer | undefined;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeGcs(): Promise<FakeGcs> {
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<string, UploadSession>();
  let generation = 1;
  const store = (bucket: string, name: string, data: Buffer): StoredObject => {
    const stored = { data, generation: generation++ };
    objects.set(`${bucket}/${name}`, stored);
    return stored;
  };
  const fake: Omit<FakeGcs, 'endpoint' | 'close'> = {
    objects,
    seen: [],
    corruptDownloads: new Set(),
    interruptUploads: new Map(),
    failUploads: new Set(),
    policies: new Map(),
    denyIam: new Set(),
    racePolicies: new Set(),
    put: (bucket, name, data) => {
      const refused = refusedObjectName(name);
      if (refused !== undefined) throw new Error(`fake GCS: ${refused}`);
      store(bucket, name, data);
    },
    get: (bucket, name) => objects.get(`${bucket}/${name}`)?.data,
  };
  const context: HandlerContext = { fake, sessions, store, base: '' };
  const server: Server = createServer((request, response) => {
    handle(context, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: { code: 500, message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  context.base = endpoint;
  return {
    ...fake,
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface HandlerContext {
  readonly fake: Omit<FakeGcs, 'endpoint' | 'close'>;
  readonly sessions: Map<string, UploadSession>;
  readonly store: (bucket: string, name: string, data: Buffer) => StoredObject;
  base: string;
}

function metadata(bucket: string, name: string, stored: StoredObject): Record<string, unknown> {
  return {
    kind: 'storage#object',
    bucket,
    name,
    id: `${bucket}/${name}/${stored.generation}`,
    generation: String(stored.generation),
    size: String(stored.data.length),
    md5Hash: createHash('md5').update(stored.data).digest('base64'),
    crc32c: crc32cBase64(stored.data),
    contentType: 'application/octet-stream',
  };
}

function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function handle(context: HandlerContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', context.base);
  const method = request.method ?? 'GET';
  const objectMatch = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
  const listMatch = /^\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(url.pathname);
  const uploadMatch = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(url.pathname);
  const objectName = objectMatch ? decodeURIComponent(objectMatch[2] ?? '') : (url.searchParams.get('name') ?? undefined);
  const contentRange = request.headers['content-range'];
  context.fake.seen.push({
    method,
    path: url.pathname,
    ...(objectName === undefined ? {} : { objectName }),
    ...(contentRange === undefined ? {} : { contentRange }),
  });
  const testMatch = /^\/storage\/v1\/b\/([^/]+)\/iam\/testPermissions$/.exec(url.pathname);
  if (testMatch && method === 'GET') return testPermissions(context.fake, testMatch[1] ?? '', url, response);
  const iamMatch = /^\/storage\/v1\/b\/([^/]+)\/iam$/.exec(url.pathname);
  if (iamMatch) return iamRoute(context.fake, { bucket: iamMatch[1] ?? '', method, request }, response);
  if (listMatch && method === 'GET') return list(context, listMatch[1] ?? '', url, response);
  if (objectMatch) return objectRoute(context, { bucket: objectMatch[1] ?? '', name: objectName ?? '', url, method }, response);
  if (uploadMatch) return upload(context, { bucket: uploadMatch[1] ?? '', url, method, request }, response);
  send(response, 404, { error: { code: 404, message: `no route ${method} ${url.pathname}` } });
}

let etagCounter = 0;
const nextEtag = (): string => Buffer.from(`etag-${(etagCounter += 1)}`).toString('base64');

/**
 * Bucket IAM as the JSON API documents it: GET returns the policy with its etag
 * (https://cloud.google.com/storage/docs/json_api/v1/buckets/getIamPolicy); PUT replaces the whole policy and,
 * when the body carries an etag that is not the current one, refuses with 412 Precondition Failed
 * (https://cloud.google.com/storage/docs/json_api/v1/buckets/setIamPolicy,
 * https://cloud.google.com/iam/docs/policies#etag). A version 1 policy cannot hold conditions (400).
 */
async function iamRoute(
  fake: HandlerContext['fake'],
  target: { bucket: string; method: string; request: IncomingMessage },
  response: ServerResponse,
): Promise<void> {
  const { bucket, method } = target;
  const body = method === 'PUT' ? await readBody(target.request) : undefined;
  if (fake.denyIam.has(bucket)) {
    const permission = method === 'PUT' ? 'setIamPolicy' : 'getIamPolicy';
    return send(response, 403, {
      error: { code: 403, message: `caller does not have storage.buckets.${permission} access to the Google Cloud Storage bucket` },
    });
  }
  const current = fake.policies.get(bucket) ?? { etag: 'CAE=', version: 1, bindings: [] };
  const view = (policy: FakePolicy) => ({ kind: 'storage#policy', resourceId: `projects/_/buckets/${bucket}`, ...policy });
  if (method === 'GET') {
    send(response, 200, view(current));
    if (fake.racePolicies.delete(bucket)) fake.policies.set(bucket, { ...current, etag: nextEtag() });
    return;
  }
  if (method !== 'PUT' || body === undefined) return send(response, 405, { error: { code: 405, message: `${method} not allowed` } });
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('bindings' in parsed) || !Array.isArray(parsed.bindings))
    return send(response, 400, { error: { code: 400, message: 'policy needs bindings' } });
  const etag = 'etag' in parsed && typeof parsed.etag === 'string' ? parsed.etag : undefined;
  if (etag !== undefined && etag !== current.etag)
    return send(response, 412, { error: { code: 412, message: 'Precondition Failed: the policy etag is stale' } });
  const version = 'version' in parsed && typeof parsed.version === 'number' ? parsed.version : 1;
  const bindings = parsed.bindings as FakePolicy['bindings'];
  if (version < 3 && bindings.some((binding) => binding.condition !== undefined))
    return send(response, 400, { error: { code: 400, message: 'conditional bindings need policy version 3' } });
  const stored: FakePolicy = { etag: nextEtag(), version, bindings };
  fake.policies.set(bucket, stored);
  send(response, 200, view(stored));
}

/**
 * testIamPermissions as documented (https://cloud.google.com/storage/docs/json_api/v1/buckets/testIamPermissions):
 * needs no permission itself and answers with the subset of the `permissions` query the caller holds (none on a
 * {@link FakeGcs.denyIam} bucket); project-level permissions (storage.buckets.list/create) are an error (400).
 */
function testPermissions(fake: HandlerContext['fake'], bucket: string, url: URL, response: ServerResponse): void {
  const asked = url.searchParams.getAll('permissions');
  if (asked.length === 0) return send(response, 400, { error: { code: 400, message: 'Required parameter: permissions' } });
  if (asked.some((permission) => permission === 'storage.buckets.list' || permission === 'storage.buckets.create'))
    return send(response, 400, { error: { code: 400, message: 'project-level permissions cannot be tested on a bucket' } });
  const permissions = fake.denyIam.has(bucket) ? [] : asked;
  send(response, 200, { kind: 'storage#testIamPermissionsResponse', ...(permissions.length === 0 ? {} : { permissions }) });
}

function list(context: HandlerContext, bucket: string, url: URL, response: ServerResponse): void {
  const prefix = url.searchParams.get('prefix') ?? '';
  const items = [...context.fake.objects.entries()]
    .filter(([key]) => key.startsWith(`${bucket}/${prefix}`))
    .map(([key, stored]) => metadata(bucket, key.slice(bucket.length + 1), stored))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  send(response, 200, { kind: 'storage#objects', items });
}

interface ObjectRequest {
  readonly bucket: string;
  readonly name: string;
  readonly url: URL;
  readonly method: string;
}

function objectRoute(context: HandlerContext, target: ObjectRequest, response: ServerResponse): void {
  const key = `${target.bucket}/${target.name}`;
  const stored = context.fake.objects.get(key);
  if (stored === undefined) {
    send(response, 404, { error: { code: 404, message: `No such object: ${key}` } });
    return;
  }
  if (target.method === 'DELETE') {
    context.fake.objects.delete(key);
    send(response, 204);
    return;
  }
  const meta = metadata(target.bucket, target.name, stored);
  if (target.url.searchParams.get('alt') !== 'media') {
    send(response, 200, meta);
    return;
  }
  const data = Buffer.from(stored.data);
  if (context.fake.corruptDownloads.has(target.name) && data.length > 0) data[data.length >> 1] ^= 0xff;
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': data.length,
    'x-goog-hash': `crc32c=${String(meta.crc32c)},md5=${String(meta.md5Hash)}`,
    'x-goog-stored-content-encoding': 'identity',
    'x-goog-generation': String(stored.generation),
  });
  response.end(data);
}

interface UploadRequest {
  readonly bucket: string;
  readonly url: URL;
  readonly method: string;
  readonly request: IncomingMessage;
}

async function upload(context: HandlerContext, target: UploadRequest, response: ServerResponse): Promise<void> {
  const { bucket, url, method, request } = target;
  const uploadType = url.searchParams.get('uploadType');
  const uploadId = url.searchParams.get('upload_id');
  if (method === 'POST' && uploadType === 'multipart') {
    const body = await readBody(request);
    const parsed = parseMultipart(body, request.headers['content-type'] ?? '', url.searchParams.get('name') ?? '');
    const refused = refusedObjectName(parsed.name);
    if (refused !== undefined) return send(response, 400, { error: { code: 400, message: refused } });
    if (context.fake.failUploads.has(parsed.name)) return send(response, 503, { error: { code: 503, message: 'unavailable' } });
    const stored = context.store(bucket, parsed.name, parsed.data);
    return send(response, 200, metadata(bucket, parsed.name, stored));
  }
  if (method === 'POST' && uploadType === 'resumable') {
    await readBody(request);
    const name = url.searchParams.get('name') ?? '';
    const refused = refusedObjectName(name);
    if (refused !== undefined) return send(response, 400, { error: { code: 400, message: refused } });
    if (context.fake.failUploads.has(name)) return send(response, 503, { error: { code: 503, message: 'unavailable' } });
    const id = `session-${context.sessions.size + 1}`;
    context.sessions.set(id, { bucket, name, received: Buffer.alloc(0), done: false });
    const location = `${context.base}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
    return send(response, 200, undefined, { location });
  }
  const session = uploadId === null ? undefined : context.sessions.get(uploadId);
  if (method === 'PUT' && session !== undefined) return resumablePut(context, session, request, response);
  send(response, 400, { error: { code: 400, message: `unsupported upload ${method} ${url.search}` } });
}

async function resumablePut(
  context: HandlerContext,
  session: UploadSession,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(String(request.headers['content-range'] ?? ''));
  const statusOnly = range === null || range[1] === '*';
  const total = range === null || range[4] === '*' ? undefined : Number(range[4]);
  const cut = context.fake.interruptUploads.get(session.name);
  if (!statusOnly) {
    const start = Number(range[2]);
    let got = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (cut !== undefined && got >= cut) {
        context.fake.interruptUploads.delete(session.name);
        session.received = Buffer.concat([session.received.subarray(0, start), Buffer.concat(chunks).subarray(0, cut)]);
        request.socket.destroy();
        return;
      }
    }
    session.received = Buffer.concat([session.received.subarray(0, start), Buffer.concat(chunks)]);
    // A body sent as `bytes N-*/*` is the rest of the object: its normal end finalizes the upload.
    if (range[3] === '*' || (total !== undefined && session.received.length === total)) session.done = true;
  }
  if (session.done || (statusOnly && total !== undefined && session.received.length === total)) {
    const stored = context.store(session.bucket, session.name, session.received);
    session.done = true;
    return send(response, 200, metadata(session.bucket, session.name, stored));
  }
  const headers: Record<string, string> = session.received.length > 0 ? { range: `bytes=0-${session.received.length - 1}` } : {};
  send(response, 308, undefined, headers);
}

function parseMultipart(body: Buffer, contentType: string, queryName: string): { name: string; data: Buffer } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`multipart without boundary: ${contentType}`);
  const parts: Buffer[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    parts.push(body.subarray(at + delimiter.length, next));
    at = next;
  }
  const content = (part: Buffer): Buffer => {
    const split = part.indexOf('\r\n\r\n');
    return part.subarray(split + 4, part.length - 2);
  };
  const [metaPart, mediaPart] = parts;
  if (metaPart === undefined || mediaPart === undefined) throw new Error('multipart body needs two parts');
  const meta: unknown = JSON.parse(content(metaPart).toString('utf8'));
  const name = typeof meta === 'object' && meta !== null && 'name' in meta ? String(meta.name) : queryName;
  return { name, data: Buffer.from(content(mediaPart)) };
}
