import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** A regular file under a directory, with its `/`-separated path relative to that directory. */
export interface LocalFile {
  readonly relativePath: string;
  readonly absolutePath: string;
  readonly sizeBytes: number;
}

/** Lists every regular file under `root`, depth first, sorted by relative path. */
export async function listLocalFiles(root: string): Promise<LocalFile[]> {
  const found: LocalFile[] = [];
  async function visit(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolutePath = join(dir, entry.name);
      if (entry.isDirectory()) await visit(absolutePath);
      else if (entry.isFile()) {
        const info = await stat(absolutePath);
        found.push({ relativePath: relative(root, absolutePath).split(sep).join('/'), absolutePath, sizeBytes: info.size });
      }
    }
  }
  await visit(root);
  return found.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}
