// The graph manifest the previous version wrote for a T5 directory with external data, field for field, so tests can
// turn a directory written now into one of that version (same graph files, old manifest).
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GRAPH_MANIFEST_FILE, LEGACY_T5_MANIFEST_FILE } from '../graph-set.js';

/** `t5-graphs.json` as the previous version wrote it (before graph directories named their family). */
export const PREVIOUS_T5_MANIFEST = Object.freeze({
  format: 'llm-deploy-t5-graphs',
  version: 1,
  encoderFile: 'encoder.onnx',
  decoderFile: 'decoder.onnx',
  externalDataFiles: ['encoder.onnx.data', 'decoder.onnx.data'],
  quantize: 'none',
  fuseQkv: false,
});

/** Replaces `directory`'s graphs.json with the previous version's manifest (`changes` applied to it). */
export async function writePreviousT5Manifest(directory: string, changes: Readonly<Record<string, unknown>> = {}): Promise<void> {
  await rm(join(directory, GRAPH_MANIFEST_FILE), { force: true });
  await writeFile(join(directory, LEGACY_T5_MANIFEST_FILE), `${JSON.stringify({ ...PREVIOUS_T5_MANIFEST, ...changes }, null, 2)}\n`);
}
