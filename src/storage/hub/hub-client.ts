// The Hugging Face Hub's HTTP API as huggingface_hub calls it: the model listing
// (hf_api.py model_info: GET {endpoint}/api/models/{repo}/revision/{quote(revision, safe="")}?blobs=true) and file
// downloads (file_download.py hf_hub_url: GET {endpoint}/{repo}/resolve/{revision}/{path}, redirects followed, a Range
// request continuing a partial file). https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/hf_api.py
// https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { hubHttpError, hubOversized, hubUnreachable } from './hub-errors.js';

/** huggingface_hub's default endpoint (constants.ENDPOINT), used when HF_ENDPOINT is unset. */
export const HUB_DEFAULT_ENDPOINT = 'https://huggingface.co';

/** How to reach the Hub. */
export interface HubClientOptions {
  /** HF_ENDPOINT (default https://huggingface.co). */
  readonly endpoint?: string;
  /** HF_TOKEN: sent as `Authorization: Bearer`; private and gated repos need it. */
  readonly token?: string;
}

/** One file of a repo at a commit, as the listing describes it. */
export interface HubFile {
  readonly path: string;
  readonly sizeBytes: number;
  /** LFS files: the sha256 of the whole file (what X-Linked-Etag carries). */
  readonly lfsSha256?: string;
  /** The git blob id (sha1 of `blob <size>\0<content>`); for non-LFS files the ETag of a download. */
  readonly blobId?: string;
}

/** A repo's files at the commit a revision names. */
export interface HubSnapshot {
  /** The 40-hex commit the revision resolved to. */
  readonly commit: string;
  readonly files: readonly HubFile[];
}

/** What a download reports back: the commit and etag headers the Hub sent. */
export interface HubDownloadResult {
  readonly repoCommit?: string;
  readonly etag?: string;
}

/** The two Hub calls a snapshot download makes. */
export interface HubClient {
  readonly endpoint: string;
  snapshot(repo: string, revision: string): Promise<HubSnapshot>;
  /** Writes the file to `destination` from `offsetBytes` on (a Range request; the Hub may answer the whole file). */
  download(file: HubFileAt, destination: string, options: HubDownloadOptions): Promise<HubDownloadResult>;
}

/** A file of a repo at a commit. */
export interface HubFileAt {
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
}

/** Options of {@link HubClient.download}. */
export interface HubDownloadOptions {
  /** Bytes already in `destination` (a partial file of an earlier attempt); 0 starts afresh. */
  readonly offsetBytes: number;
  /** The running byte count of the whole file. */
  readonly onBytes?: (bytes: number) => void;
  /** The listed size: a body running past it is cut off (a server cannot fill the disk). */
  readonly maxBytes: number;
}

const COMMIT = /^[0-9a-f]{40}$/;

// `siblings` with `?blobs=true`: rfilename, size, blobId and, for LFS files, lfs.{sha256,size,pointerSize}
// (huggingface_hub RepoSibling / BlobLfsInfo).
const ModelInfo = z.object({
  sha: z.string().regex(COMMIT, 'not a 40-hex commit'),
  siblings: z.array(
    z.object({
      rfilename: z.string(),
      size: z.number().int().nonnegative().optional(),
      blobId: z
        .string()
        .regex(/^[0-9a-f]{40}$/)
        .optional(),
      lfs: z
        .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })
        .loose()
        .optional(),
    }),
  ),
});

/** A client of the Hub at `endpoint` (HF_ENDPOINT), sending HF_TOKEN when given. */
export function createHubClient(options: HubClientOptions = {}): HubClient {
  const endpoint = (options.endpoint ?? HUB_DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...extra,
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
  });
  const call = async (url: string, init: RequestInit, repo: string): Promise<Response> => {
    try {
      return await fetch(url, init);
    } catch (cause) {
      throw hubUnreachable({ endpoint, repo, url, cause });
    }
  };
  return {
    endpoint,
    async snapshot(repo, revision) {
      const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
      const response = await call(url, { headers: headers({ accept: 'application/json' }) }, repo);
      if (!response.ok) throw hubHttpError(response, { repo, revision, url, tokenSent: options.token !== undefined });
      const parsed = ModelInfo.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw hubUnreachable({ endpoint, repo, url, cause: parsed.error, answered: true });
      const files = parsed.data.siblings.map((sibling) => ({
        path: sibling.rfilename,
        sizeBytes: sibling.lfs?.size ?? sibling.size ?? 0,
        ...(sibling.lfs === undefined ? {} : { lfsSha256: sibling.lfs.sha256 }),
        ...(sibling.blobId === undefined ? {} : { blobId: sibling.blobId }),
      }));
      return { commit: parsed.data.sha, files };
    },
    async download(file, destination, download) {
      const url = `${endpoint}/${file.repo}/resolve/${file.commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      const range = download.offsetBytes > 0 ? { range: `bytes=${download.offsetBytes}-` } : {};
      // fetch drops Authorization when a redirect leaves the origin (LFS files go to the CDN), so HF_TOKEN stays with
      // the Hub, as huggingface_hub does; Range is kept. https://fetch.spec.whatwg.org/#http-redirect-fetch
      const response = await call(url, { headers: headers(range), redirect: 'follow' }, file.repo);
      if (!response.ok) {
        throw hubHttpError(response, { repo: file.repo, revision: file.commit, url, tokenSent: options.token !== undefined });
      }
      // 206 continues the partial file; 200 is the whole file (a server may ignore Range), so it starts afresh
      const resumed = response.status === 206 && contentRangeStart(response.headers.get('content-range')) === download.offsetBytes;
      const counter = byteCounter(url, download, resumed ? download.offsetBytes : 0);
      // a type-only cast: fetch's body is the DOM ReadableStream type, which Node's stream/web type describes the same object as
      const body = response.body === null ? Readable.from([]) : Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      await pipeline(body, counter, createWriteStream(destination, { flags: resumed ? 'a' : 'w' }));
      const repoCommit = response.headers.get('x-repo-commit') ?? undefined;
      // after a redirect to the CDN (LFS files) the ETag is the CDN's own; X-Linked-Etag is lost with the Hub's answer
      const etag = response.redirected ? undefined : (response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? undefined);
      return { ...(repoCommit === undefined ? {} : { repoCommit }), ...(etag === undefined ? {} : { etag: normalizeEtag(etag) }) };
    },
  };
}

/** Counts the bytes of the whole file as they pass, reporting them, and cuts off a body running past the listed size. */
function byteCounter(url: string, download: HubDownloadOptions, startBytes: number): Transform {
  let bytes = startBytes;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > download.maxBytes) {
        done(hubOversized({ url, given: bytes, expected: download.maxBytes }));
        return;
      }
      download.onBytes?.(bytes);
      done(null, chunk);
    },
  });
}

/** `bytes 100-199/200` -> 100. */
function contentRangeStart(header: string | null): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Strips the weak-validator prefix and the quotes, as huggingface_hub's _normalize_etag does. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
