import { rm } from 'node:fs/promises';
import { createGcsClient, parseStorageLocation, type GcsClientOptions } from '../storage/index.js';

/** A FasterTransformer conversion of a checkpoint: what `convert` reads, where it writes, over how many GPUs. */
export interface Conversion {
  readonly modelSource: string;
  readonly convertedPath: string;
  readonly tensorParallel: number;
}

/**
 * The `llm-deploy convert` arguments (after the program) of a conversion: the same line runs in the
 * cluster's conversion Job and as the local target's child process.
 */
export function conversionArgs(conversion: Conversion): string[] {
  return [
    'convert',
    '--model',
    conversion.modelSource,
    '--to',
    'fastertransformer',
    '--tensor-parallel',
    String(conversion.tensorParallel),
    '--out',
    conversion.convertedPath,
    '--force',
  ];
}

/** One line for progress and dry runs. */
export function describeConversion(conversion: Conversion): string {
  return `convert ${conversion.modelSource} -> ${conversion.convertedPath} (FasterTransformer, tensor-parallel ${conversion.tensorParallel})`;
}

/**
 * Deletes a converted model that a deploy call wrote: the local directory, or every object under the
 * `gs://` prefix (`prefix/`, so a sibling such as `prefix-old/` is kept). A bucket root is never emptied.
 */
export async function removeConvertedModel(
  path: string,
  options: { readonly gcs: GcsClientOptions; readonly write: (line: string) => void },
): Promise<void> {
  const location = parseStorageLocation(path);
  if (location.kind === 'local') {
    await rm(location.path, { recursive: true, force: true });
    options.write(`converted model ${location.path}: deleted`);
    return;
  }
  if (location.prefix === '') {
    options.write(`converted model ${path} kept (a bucket root is never emptied)`);
    return;
  }
  const client = createGcsClient(options.gcs);
  const objects = await client.list(location.bucket, `${location.prefix}/`);
  for (const object of objects) await client.remove({ bucket: location.bucket, name: object.name });
  options.write(`converted model ${path}: deleted (${objects.length} object(s))`);
}
