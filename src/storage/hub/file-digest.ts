import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * Hex digest of a file: `sha256` of its bytes (what the Hub lists for LFS files), or `git-blob-sha1`, git's object id
 * sha1(`blob <size>\0` + bytes), the blobId and ETag of non-LFS files (https://git-scm.com/book/en/v2/Git-Internals-Git-Objects).
 */
export async function fileDigest(path: string, kind: 'sha256' | 'git-blob-sha1'): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-blob-sha1') hash.update(`blob ${(await stat(path)).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
