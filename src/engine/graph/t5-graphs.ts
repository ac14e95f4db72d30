/**
 * Builds the T5 encoder and decoder graphs from a checkpoint and writes/reads them as a graph
 * directory (`t5-graphs.json` + `.onnx` files + external data when the weights are large).
 */
import { closeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { openModelFileSync, readJsonFile, type T5Config, type WeightStore } from '../../model/index.js';
import { LlmDeployError } from '../../config/index.js';
import type { GraphFile, T5GraphManifest, T5GraphOptions, T5Graphs } from '../runtime/types.js';
import { buildDecoderGraph } from './t5-decoder-graph.js';
import { buildEncoderGraph } from './t5-encoder-graph.js';
import { ExternalDataWriter, type GraphBuilder } from './proto.js';
import { resolveGraphOptions, type T5GraphOptionsResolved } from './t5-graph-options.js';

/** Name of the manifest file in a graph directory. */
export const GRAPH_MANIFEST_FILE = 't5-graphs.json';

/** Builds both graphs in memory (weights are read once per graph, then dropped by the caller's store). */
export function buildT5Graphs(config: T5Config, weights: WeightStore, options: T5GraphOptions = {}): T5Graphs {
  const resolved = resolveGraphOptions(options);
  const files: GraphFile[] = [];
  const externalDataFiles: string[] = [];
  for (const part of graphParts(config, weights, resolved)) {
    const dataFile = `${part.file}.data`;
    const serialized = part.build().serialize({ externalDataFile: dataFile, thresholdBytes: resolved.externalDataThresholdBytes });
    files.push({ name: part.file, chunks: [serialized.model] });
    if (serialized.externalData.length > 0) {
      files.push({ name: dataFile, chunks: serialized.externalData });
      externalDataFiles.push(dataFile);
    }
  }
  return { manifest: manifestOf(resolved, externalDataFiles), files };
}

/**
 * Builds both graphs straight into `directory` (created if absent), as {@link writeT5Graphs} would
 * write them with every weight in external data: each weight goes to its graph's data file as soon
 * as it is read, so the whole checkpoint is never held in JavaScript memory.
 */
export async function buildT5GraphsInto(
  directory: string,
  config: T5Config,
  weights: WeightStore,
  options: T5GraphOptions = {},
): Promise<T5GraphManifest> {
  const resolved = resolveGraphOptions(options);
  await mkdir(directory, { recursive: true });
  const externalDataFiles: string[] = [];
  const files: GraphFile[] = [];
  for (const part of graphParts(config, weights, resolved)) {
    const dataFile = `${part.file}.data`;
    const writer = new ExternalDataWriter(join(directory, dataFile), dataFile);
    try {
      files.push({
        name: part.file,
        chunks: [part.build(writer).serialize({ externalDataFile: dataFile, thresholdBytes: Infinity }).model],
      });
    } finally {
      writer.close();
    }
    externalDataFiles.push(dataFile);
  }
  const manifest = manifestOf(resolved, externalDataFiles);
  await writeT5Graphs(directory, { manifest, files });
  return manifest;
}

function graphParts(
  config: T5Config,
  weights: WeightStore,
  resolved: T5GraphOptionsResolved,
): { file: string; build: (externalData?: ExternalDataWriter) => GraphBuilder }[] {
  const base = { config, weights, quantize: resolved.quantize, int8Operator: resolved.int8Operator };
  return [
    { file: 'encoder.onnx', build: (externalData) => buildEncoderGraph(base, resolved, externalData) },
    { file: 'decoder.onnx', build: (externalData) => buildDecoderGraph(base, resolved, externalData) },
  ];
}

function manifestOf(resolved: T5GraphOptionsResolved, externalDataFiles: readonly string[]): T5GraphManifest {
  return {
    format: 'llm-deploy-t5-graphs',
    version: 1,
    encoderFile: 'encoder.onnx',
    decoderFile: 'decoder.onnx',
    externalDataFiles,
    quantize: resolved.quantize,
    fuseQkv: resolved.fuseQkv,
  };
}

/** Writes the graph files and then the manifest into `directory` (created if absent). */
export async function writeT5Graphs(directory: string, graphs: T5Graphs): Promise<void> {
  await mkdir(directory, { recursive: true });
  for (const file of graphs.files) {
    const handle = await open(join(directory, file.name), 'w');
    try {
      for (const chunk of file.chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
  }
  const handle = await open(join(directory, GRAPH_MANIFEST_FILE), 'w');
  try {
    await handle.write(`${JSON.stringify(graphs.manifest, null, 2)}\n`);
  } finally {
    await handle.close();
  }
}

const manifestSchema = z.object({
  format: z.literal('llm-deploy-t5-graphs'),
  version: z.literal(1),
  encoderFile: z.string().min(1),
  decoderFile: z.string().min(1),
  externalDataFiles: z.array(z.string()),
  quantize: z.enum(['none', 'int8']),
  fuseQkv: z.boolean(),
});

/** Reads and checks `t5-graphs.json` of a graph directory. */
export async function readT5GraphManifest(directory: string): Promise<T5GraphManifest> {
  const file = join(directory, GRAPH_MANIFEST_FILE);
  let value: unknown;
  try {
    // The model module's reader: regular files only (a FIFO would block), size-capped, nesting bounded.
    value = await readJsonFile(file, { expected: 'a t5-graphs manifest' });
  } catch (cause) {
    throw new LlmDeployError('graph manifest is missing or not JSON', { code: 'ENGINE_GRAPHS_INVALID', file, cause });
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LlmDeployError('graph manifest is invalid', {
      code: 'ENGINE_GRAPHS_INVALID',
      file,
      field: issue?.path.join('.') ?? '',
      expected: issue?.message ?? 'a t5-graphs manifest',
    });
  }
  checkGraphFiles(directory, parsed.data);
  return parsed.data;
}

// onnxruntime opens these by path itself, so each must be a regular file inside the directory before it is handed over.
function checkGraphFiles(directory: string, manifest: T5GraphManifest): void {
  const listed: [string, string][] = [
    ['encoderFile', manifest.encoderFile],
    ['decoderFile', manifest.decoderFile],
    ...manifest.externalDataFiles.map((name, index): [string, string] => [`externalDataFiles.${index}`, name]),
  ];
  for (const [field, name] of listed) {
    const relative = normalize(name);
    const fail = (summary: string, cause?: unknown): LlmDeployError =>
      new LlmDeployError(summary, {
        code: 'ENGINE_GRAPHS_INVALID',
        file: join(directory, GRAPH_MANIFEST_FILE),
        field,
        given: name.slice(0, 200),
        expected: 'a regular file inside the graph directory',
        ...(cause === undefined ? {} : { cause }),
      });
    if (isAbsolute(relative) || relative === '..' || relative.startsWith(`..${sep}`)) throw fail('graph file path leaves the directory');
    try {
      closeSync(openModelFileSync(join(directory, relative), 'an ONNX graph file').descriptor);
    } catch (cause) {
      throw fail('graph file cannot be used', cause);
    }
  }
}
