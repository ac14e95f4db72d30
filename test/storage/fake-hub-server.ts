// A loopback stand-in for the part of the Hugging Face Hub HTTP API that model downloads use, shaped as huggingface_hub
// reads it (the real Hub cannot be reached from the test machines):
// - GET /api/models/{org}/{name}/revision/{revision}?blobs=true: {sha, siblings: [{rfilename, size, blobId, lfs?}]}
//   (hf_api.py model_info, https://huggingface.co/docs/hub/api#get-apimodelsrepoidrevisionrevision); the revision is
//   one path segment, percent-encoded (quote(revision, safe="")), so a raw "/" in it is a 404 as on the Hub;
// - GET /{org}/{name}/resolve/{revision}/{path}: small (git) files answered directly with ETag = "<git blob sha1>",
//   LFS files as a 302 to a CDN URL on another origin (localhost instead of 127.0.0.1 here) with
//   X-Linked-Etag = "<sha256>" and X-Linked-Size; X-Repo-Commit on both
//   (file_download.py get_hf_file_metadata / hf_hub_url); Range requests answered 206 with Content-Range (RFC 9110 14.4);
// - errors as hf_raise_for_status reads them (utils/_http.py): X-Error-Code RepoNotFound / RevisionNotFound /
//   EntryNotFound / GatedRepo with X-Error-Message; anonymous calls to private, gated or missing repos get 401, a token
//   without access to a gated repo 403 (https://huggingface.co/docs/hub/models-gated).
// https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One file of a fake repo; `lfs` files are served through the CDN redirect. */
export interface FakeHubFile {
  readonly data: Buffer;
  readonly lfs: boolean;
}

/** A fake repo: its files at one commit, the revisions naming that commit, and who may read it. */
export interface FakeHubRepo {
  readonly commit: string;
  readonly files: Map<string, FakeHubFile>;
  /** Branch and tag names (besides the commit itself) that resolve to `commit`. */
  readonly revisions: Set<string>;
  /** Gated: anonymous 401 GatedRepo, a token not in `tokens` 403 GatedRepo. */
  gated?: boolean;
  /** Private: anyone without one of `tokens` gets what a missing repo gets. */
  private?: boolean;
  readonly tokens: Set<string>;
}

/** One request as the fake saw it. */
export interface FakeHubRequest {
  readonly method: string;
  readonly path: string;
  readonly range?: string;
  readonly authorization?: string;
}

/** The running fake: its endpoint, its repos and fault switches. */
export interface FakeHub {
  readonly endpoint: string;
  readonly repos: Map<string, FakeHubRepo>;
  readonly seen: FakeHubRequest[];
  /** File path -> bytes after which the next download of it loses its connection (once). */
  readonly cutDownloads: Map<string, number>;
  /** File paths whose downloads come back with one byte flipped (listing and headers stay the original's). */
  readonly corruptDownloads: Set<string>;
  /** File path -> the error status its resolve URL answers (404 as EntryNotFound, as for a file deleted after listing; 5xx plain). */
  readonly failDownloads: Map<string, number>;
  /** Adds a repo at a commit derived from its contents; `main` names it. */
  addRepo(
    repo: string,
    files: Record<string, FakeHubFile>,
    access?: { gated?: boolean; private?: boolean; tokens?: string[] },
  ): FakeHubRepo;
  close(): Promise<void>;
}

/** git's blob id: sha1 of `blob <size>\0<bytes>` (https://git-scm.com/book/en/v2/Git-Internals-Git-Objects). */
export function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function hubError(response: ServerResponse, status: number, code: string | undefined, message: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(code === undefined ? {} : { 'x-error-code': code }),
    'x-error-message': message,
  });
  response.end(JSON.stringify({ error: message }));
}

/** Whether the caller may read `repo`; answers the Hub's refusal when not. */
function authorize(repo: FakeHubRepo | undefined, name: string, request: IncomingMessage, response: ServerResponse): repo is FakeHubRepo {
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const allowed = repo !== undefined && token !== undefined && repo.tokens.has(token);
  if (repo === undefined || (repo.private === true && !allowed)) {
    // the Hub does not tell a private repo from a missing one; anonymous callers get 401
    hubError(response, token === undefined ? 401 : 404, 'RepoNotFound', 'Repository not found');
    return false;
  }
  if (repo.gated === true && !allowed) {
    const message =
      token === undefined
        ? `Access to model ${name} is restricted. You must have access to it and be authenticated to access it. Please log in.`
        : `Access to model ${name} is restricted and you are not in the authorized list. Visit https://huggingface.co/${name} to ask for access.`;
    hubError(response, token === undefined ? 401 : 403, 'GatedRepo', message);
    return false;
  }
  return true;
}

interface Delivery {
  readonly fake: FakeHub;
  readonly path: string;
  readonly data: Buffer;
  readonly headers: Record<string, string>;
}

function sendBytes(delivery: Delivery, request: IncomingMessage, response: ServerResponse): void {
  const { data, headers } = delivery;
  let body = data;
  if (delivery.fake.corruptDownloads.has(delivery.path)) {
    body = Buffer.from(data);
    body[0] = (body[0] ?? 0) ^ 0xff;
  }
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  let start = 0;
  if (range?.[1] !== undefined) {
    start = Number(range[1]);
    if (start >= data.length) {
      response.writeHead(416, { 'content-range': `bytes */${data.length}` });
      response.end();
      return;
    }
    response.writeHead(206, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-range': `bytes ${start}-${data.length - 1}/${data.length}`,
      'content-length': String(data.length - start),
    });
  } else {
    response.writeHead(200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(data.length) });
  }
  const cut = delivery.fake.cutDownloads.get(delivery.path);
  if (cut !== undefined && cut > start) {
    delivery.fake.cutDownloads.delete(delivery.path);
    // the connection drops a while after the bytes went out, so the client has written them to its partial file
    response.write(body.subarray(start, cut), () => setTimeout(() => response.socket?.destroy(), 300));
    return;
  }
  response.end(body.subarray(start));
}

function listing(repo: FakeHubRepo, name: string, blobs: boolean): unknown {
  const siblings = [...repo.files].map(([path, file]) =>
    blobs
      ? {
          rfilename: path,
          size: file.data.length,
          blobId: gitBlobSha1(
            file.lfs
              ? Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(file.data)}\nsize ${file.data.length}\n`)
              : file.data,
          ),
          ...(file.lfs ? { lfs: { sha256: sha256(file.data), size: file.data.length, pointerSize: 134 } } : {}),
        }
      : { rfilename: path },
  );
  return {
    _id: repo.commit.slice(0, 24),
    id: name,
    modelId: name,
    sha: repo.commit,
    private: repo.private === true,
    gated: repo.gated === true ? 'auto' : false,
    siblings,
  };
}

function handle(fake: FakeHub, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://fake');
  fake.seen.push({
    method: request.method ?? 'GET',
    path: url.pathname,
    ...(request.headers.range === undefined ? {} : { range: request.headers.range }),
    ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization }),
  });
  const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
  if (cdn !== null) {
    const found = [...fake.repos.values()].flatMap((repo) =>
      [...repo.files].filter(([, file]) => file.lfs && sha256(file.data) === cdn[1]),
    )[0];
    if (found === undefined) return hubError(response, 404, undefined, 'Not Found');
    return sendBytes({ fake, path: found[0], data: found[1].data, headers: { etag: `"cdn-${cdn[1].slice(0, 16)}"` } }, request, response);
  }
  const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  const match = api ?? resolve;
  if (match?.[1] === undefined || match[2] === undefined) return hubError(response, 404, undefined, 'Not Found');
  const name = match[1];
  const repo = fake.repos.get(name);
  if (!authorize(repo, name, request, response)) return;
  const revision = decodeURIComponent(match[2]);
  if (revision !== repo.commit && !repo.revisions.has(revision))
    return hubError(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
  if (api !== null) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(listing(repo, name, url.searchParams.get('blobs') === 'true')));
    return;
  }
  const path = decodeURIComponent(match[3] ?? '');
  const file = repo.files.get(path);
  const failure = fake.failDownloads.get(path);
  if (failure !== undefined) {
    return failure === 404
      ? hubError(response, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`)
      : hubError(response, failure, undefined, 'Internal Error');
  }
  if (file === undefined) return hubError(response, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`);
  const common = { 'x-repo-commit': repo.commit };
  if (file.lfs) {
    const digest = sha256(file.data);
    response.writeHead(302, {
      ...common,
      location: `${fake.endpoint.replace('127.0.0.1', 'localhost')}/cdn/${digest}`,
      'x-linked-etag': `"${digest}"`,
      'x-linked-size': String(file.data.length),
    });
    response.end();
    return;
  }
  sendBytes({ fake, path, data: file.data, headers: { ...common, etag: `"${gitBlobSha1(file.data)}"` } }, request, response);
}

/** Starts the fake Hub on a free loopback port. */
export async function startFakeHub(): Promise<FakeHub> {
  const fake: FakeHub = {
    endpoint: '',
    repos: new Map(),
    seen: [],
    cutDownloads: new Map(),
    corruptDownloads: new Set(),
    failDownloads: new Map(),
    addRepo(name, files, access = {}) {
      const entries = new Map(Object.entries(files));
      const commit = createHash('sha1')
        .update(name)
        .update(JSON.stringify([...entries].map(([path, file]) => [path, sha256(file.data)])))
        .digest('hex');
      const repo: FakeHubRepo = {
        commit,
        files: entries,
        revisions: new Set(['main']),
        tokens: new Set(access.tokens ?? []),
        ...(access.gated === undefined ? {} : { gated: access.gated }),
        ...(access.private === undefined ? {} : { private: access.private }),
      };
      fake.repos.set(name, repo);
      return repo;
    },
    close: async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => handle(fake, request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, { endpoint: `http://127.0.0.1:${port}` });
}
