import { statSync } from 'node:fs';
import { resolve } from 'node:path';

// Vertex AI (custom training, Pipelines) mounts Cloud Storage with Cloud Storage FUSE at /gcs/<bucket>/...
// https://cloud.google.com/vertex-ai/docs/training/cloud-storage-file-system
/** Root of the Vertex FUSE mount: `/gcs/bucket/path` names `gs://bucket/path`. */
export const GCS_FUSE_ROOT = '/gcs/';

/** The accepted forms of a model source, for messages and the README. */
export const MODEL_SOURCE_FORMS =
  'gs://bucket/path, /gcs/bucket/path (Vertex FUSE form), hf://org/name[@revision] or org/name (Hugging Face Hub), ' +
  'file:///absolute/path or a local directory';

/** The accepted forms of a place models are written to (no Hub: llm-deploy reads from it, never writes). */
export const MODEL_DESTINATION_FORMS = 'gs://bucket/path, /gcs/bucket/path (Vertex FUSE form), file:///absolute/path or a local directory';

/** The scheme of Hugging Face Hub sources (`hf://org/name[@revision]`), as huggingface_hub's HfFileSystem spells it. */
export const HUB_SCHEME = 'hf://';

// Bucket naming rules, https://cloud.google.com/storage/docs/buckets#naming: lowercase letters, digits, dashes,
// underscores and dots; starts and ends with a letter or digit; 3-63 characters (up to 222 when it holds dots, each
// dot-separated part at most 63); not an IP address in dotted-decimal form; not starting with "goog".
const BUCKET_CHARACTERS = /^[a-z0-9._-]+$/;
const DOTTED_DECIMAL = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why `name` cannot be a Cloud Storage bucket name, or undefined when it can. */
export function bucketNameIssue(name: string): string | undefined {
  const max = name.includes('.') ? 222 : 63;
  const count = `bucket name ${JSON.stringify(name)} has ${name.length} character${name.length === 1 ? '' : 's'}`;
  if (name.length < 3) return `${count}; bucket names have 3 to 63`;
  if (name.length > max) return `${count}; bucket names have at most ${max}`;
  if (!BUCKET_CHARACTERS.test(name)) {
    return `bucket name ${JSON.stringify(name)} holds characters other than lowercase letters, digits, "-", "_" and "."`;
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return `bucket name ${JSON.stringify(name)} must start and end with a letter or digit`;
  if (name.split('.').some((part) => part.length > 63))
    return `bucket name ${JSON.stringify(name)} has a dot-separated part over 63 characters`;
  if (DOTTED_DECIMAL.test(name)) return `bucket name ${JSON.stringify(name)} is an IP address`;
  if (name.startsWith('goog')) return `bucket name ${JSON.stringify(name)} starts with "goog" (reserved)`;
  return undefined;
}

// Hub repo ids, huggingface_hub validate_repo_id: "namespace/name", each [\w.-], name at most 96 characters,
// no "--" or "..". https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_validators.py
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

/** Whether `text` has the shape of a Hugging Face Hub id (`org/name`); a local path of that name wins over it. */
export function looksLikeHubId(text: string): boolean {
  return HUB_ID.test(text) && !text.includes('--') && !text.includes('..');
}

/** A Hub model repository and the revision (branch, tag or commit) to read. */
export interface HubSource {
  readonly repo: string;
  readonly revision: string;
}

/**
 * `hf://org/name[@revision]`, or a bare `org/name` when no such local directory exists, as a Hub repo and revision
 * (default `main`, huggingface_hub's DEFAULT_REVISION); undefined for any other text. Throws nothing: see {@link hubSourceIssue}.
 */
export function hubSource(text: string, isDirectory: (path: string) => boolean = isLocalDirectory): HubSource | undefined {
  if (text.startsWith(HUB_SCHEME)) {
    const rest = text.slice(HUB_SCHEME.length);
    const at = rest.indexOf('@');
    return at === -1 ? { repo: rest, revision: 'main' } : { repo: rest.slice(0, at), revision: rest.slice(at + 1) };
  }
  return looksLikeHubId(text) && !isDirectory(resolve(text)) ? { repo: text, revision: 'main' } : undefined;
}

/** Why a Hub source cannot be read, or undefined when its repo id and revision have a valid shape. */
export function hubSourceIssue(source: HubSource): string | undefined {
  if (!looksLikeHubId(source.repo)) {
    return `repo id ${JSON.stringify(source.repo)} is not org/name (letters, digits, "-", "_", "." each; no "--" or "..")`;
  }
  // a revision is a branch, tag or commit; git refuses control characters and spaces in ref names (git check-ref-format)
  if (
    source.revision === '' ||
    [...source.revision].some((character) => character.trim() === '' || character < ' ' || character === '\x7f')
  ) {
    return `revision ${JSON.stringify(source.revision)} is not a branch, tag or commit`;
  }
  return undefined;
}

/** Whether `path` is an existing directory. */
export function isLocalDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `/gcs/bucket/path` as bucket and prefix, unless `/gcs/bucket` is a mounted (existing) directory, which is read
 * directly; undefined for any other text.
 */
export function fuseBucketPath(
  text: string,
  isDirectory: (path: string) => boolean = isLocalDirectory,
): { readonly bucket: string; readonly prefix: string } | undefined {
  if (!text.startsWith(GCS_FUSE_ROOT)) return undefined;
  const split = splitBucketPath(text.slice(GCS_FUSE_ROOT.length));
  return split.bucket === '' || isDirectory(`${GCS_FUSE_ROOT}${split.bucket}`) ? undefined : split;
}

/** `bucket/some/prefix/` as bucket and prefix (no leading or trailing slash). */
export function splitBucketPath(rest: string): { readonly bucket: string; readonly prefix: string } {
  const slash = rest.indexOf('/');
  return {
    bucket: slash === -1 ? rest : rest.slice(0, slash),
    prefix: slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, ''),
  };
}

/** How {@link modelSourceIssue} reads a value. */
export interface ModelSourceReading {
  /** Sources are read, so a bare `org/name` that is no directory is a Hub id; destinations may not exist yet. */
  readonly role: 'source' | 'destination';
  readonly isDirectory?: (path: string) => boolean;
}

/** Why a model location is invalid, saying what it was taken as; undefined when it is valid. */
export function modelSourceIssue(text: string, reading: ModelSourceReading): string | undefined {
  const isDirectory = reading.isDirectory ?? isLocalDirectory;
  if (text.startsWith('gs://')) {
    const issue = bucketNameIssue(splitBucketPath(text.slice('gs://'.length)).bucket);
    return issue === undefined ? undefined : `taken as a Cloud Storage location: ${issue}`;
  }
  const fuse = fuseBucketPath(text, isDirectory);
  if (fuse !== undefined) {
    const issue = bucketNameIssue(fuse.bucket);
    const taken = `taken as gs://${fuse.bucket}/${fuse.prefix} (Vertex FUSE form; ${GCS_FUSE_ROOT}${fuse.bucket} is not mounted here)`;
    return issue === undefined ? undefined : `${taken}: ${issue}`;
  }
  const hub = reading.role === 'source' ? hubSource(text, isDirectory) : undefined;
  if (hub !== undefined) {
    const issue = hubSourceIssue(hub);
    return issue === undefined ? undefined : `taken as a Hugging Face Hub source: ${issue}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.startsWith('file://')) {
    return reading.role === 'source' ? 'only gs://, hf:// and file:// URLs are read' : 'only gs:// and file:// URLs are written';
  }
  return undefined;
}
