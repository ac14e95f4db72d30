/**
 * A family's graphs as one set: serialized (weights in external data files past a threshold), written
 * to a graph directory (`graphs.json` naming the family and each graph's role and file), read back and
 * handed to onnxruntime. Directories of the previous version (`t5-graphs.json`, T5 only) still open.
 */
import { closeSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { entryExists, openModelFileSync, readJsonFile } from '../../model/index.js';
import type { Quantize } from '../settings.js';
import { ExternalDataWriter, type GraphBuilder } from './proto.js';

/** Name of the manifest file in a graph directory. */
export const GRAPH_MANIFEST_FILE = 'graphs.json';
/** The manifest of T5 graph directories written before graph directories named their family. */
export const LEGACY_T5_MANIFEST_FILE = 't5-graphs.json';
/** Every manifest name a graph directory may hold, newest first. */
export const GRAPH_MANIFEST_FILES: readonly string[] = [GRAPH_MANIFEST_FILE, LEGACY_T5_MANIFEST_FILE];

/** What a graph computes in a family's generation loop. */
export type GraphRole = 'encoder' | 'prefill' | 'decoder-step';

/** One file of a graph set: bytes in chunks (weights are not concatenated in memory). */
export interface GraphFile {
  readonly name: string;
  readonly chunks: readonly Uint8Array[];
}

/** What a graph set holds, as written to `graphs.json` beside the files. */
export interface GraphManifest {
  readonly format: 'llm-deploy-graphs';
  readonly version: 2;
  /** The engine family (`t5`, `bart`, `llama`, ...) whose runtime opens these graphs. */
  readonly family: string;
  readonly graphs: readonly { readonly role: GraphRole; readonly file: string }[];
  /** External data file names; empty when the weights live inside the graphs. */
  readonly externalDataFiles: readonly string[];
  readonly quantize: Quantize;
  /** T5's fused self-attention Q/K/V (false for the other families). */
  readonly fuseQkv: boolean;
}

/** Built graphs with their manifest, ready to write or to load. */
export interface GraphSet {
  readonly manifest: GraphManifest;
  readonly files: readonly GraphFile[];
}

/**
 * One graph to serialize: the family table's role and file name, and how to build it (given a writer,
 * the builder streams its weights to that external data file as it reads them).
 */
export interface GraphPart {
  readonly role: GraphRole;
  readonly file: string;
  readonly build: (externalData?: ExternalDataWriter) => GraphBuilder;
}

/** What the manifest says of a set besides its files. */
export interface GraphSetFacts {
  readonly family: string;
  readonly quantize: Quantize;
  readonly fuseQkv?: boolean;
}

/** Options of {@link serializeGraphSet}. */
export interface SerializeGraphSetOptions extends GraphSetFacts {
  /** Initializers larger in total than this go to `<file>.data` (ONNX protobufs stop at 2 GB). */
  readonly externalDataThresholdBytes: number;
}

/**
 * Past this many float32 weight bytes a checkpoint's graphs are built straight into files (see
 * {@link withBuiltGraphSet}): measured on t5-small, load peak RSS falls from about 3.4x the weights
 * to the README's Peak memory figures, because no JavaScript copy of the checkpoint is held.
 */
export const STREAMED_LOAD_THRESHOLD_BYTES = 32 * 1024 * 1024;

/** Builds and serializes each graph in turn (one graph's builder is dropped before the next is built). */
export function serializeGraphSet(parts: readonly GraphPart[], options: SerializeGraphSetOptions): GraphSet {
  const files: GraphFile[] = [];
  const externalDataFiles: string[] = [];
  for (const part of parts) {
    const dataFile = `${part.file}.data`;
    const serialized = part.build().serialize({ externalDataFile: dataFile, thresholdBytes: options.externalDataThresholdBytes });
    files.push({ name: part.file, chunks: [serialized.model] });
    if (serialized.externalData.length > 0) {
      files.push({ name: dataFile, chunks: serialized.externalData });
      externalDataFiles.push(dataFile);
    }
  }
  return { manifest: manifestOf(parts, externalDataFiles, options), files };
}

/**
 * Builds each graph straight into `directory` (created if absent), as {@link writeGraphSet} writes a set
 * serialized with every weight in external data (threshold 0): each weight goes to its graph's data file
 * as soon as it is read, so the checkpoint is never held in JavaScript memory.
 */
export async function buildGraphSetInto(directory: string, parts: readonly GraphPart[], facts: GraphSetFacts): Promise<GraphManifest> {
  await mkdir(directory, { recursive: true });
  const files: GraphFile[] = [];
  for (const part of parts) {
    const writer = new ExternalDataWriter(join(directory, `${part.file}.data`), `${part.file}.data`);
    try {
      const serialized = part.build(writer).serialize({ externalDataFile: writer.file, thresholdBytes: Infinity });
      files.push({ name: part.file, chunks: [serialized.model] });
    } finally {
      writer.close();
    }
  }
  const manifest = manifestOf(
    parts,
    parts.map((part) => `${part.file}.data`),
    facts,
  );
  await writeGraphSet(directory, { manifest, files });
  return manifest;
}

/** Options of {@link withBuiltGraphSet}. */
export interface BuiltGraphSetOptions extends SerializeGraphSetOptions {
  /** float32 bytes of the checkpoint's weights (4 x its parameter count). */
  readonly weightBytes: number;
  /** Past this many weight bytes the graphs are streamed into a temporary directory; default {@link STREAMED_LOAD_THRESHOLD_BYTES}. */
  readonly streamAboveBytes?: number;
}

/**
 * Builds `parts` and hands the set to `open`: small checkpoints in memory, large ones streamed into a
 * temporary directory (onnxruntime finds external data only beside a model file), removed once `open` is done.
 */
export async function withBuiltGraphSet<T>(
  parts: readonly GraphPart[],
  options: BuiltGraphSetOptions,
  open: (source: GraphSetSource) => Promise<T>,
): Promise<T> {
  if (options.weightBytes <= (options.streamAboveBytes ?? STREAMED_LOAD_THRESHOLD_BYTES)) return open(serializeGraphSet(parts, options));
  const directory = await mkdtemp(join(tmpdir(), 'llm-deploy-graphs-'));
  try {
    await buildGraphSetInto(directory, parts, options);
    return await open({ directory });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function manifestOf(parts: readonly GraphPart[], externalDataFiles: readonly string[], facts: GraphSetFacts): GraphManifest {
  return {
    format: 'llm-deploy-graphs',
    version: 2,
    family: facts.family,
    graphs: parts.map(({ role, file }) => ({ role, file })),
    externalDataFiles,
    quantize: facts.quantize,
    fuseQkv: facts.fuseQkv ?? false,
  };
}

/** Writes the graph files and then the manifest into `directory` (created if absent). */
export async function writeGraphSet(directory: string, set: GraphSet): Promise<void> {
  await mkdir(directory, { recursive: true });
  const write = async (name: string, chunks: readonly Uint8Array[]): Promise<void> => {
    const handle = await open(join(directory, name), 'w');
    try {
      for (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
  };
  for (const file of set.files) await write(file.name, file.chunks);
  await write(GRAPH_MANIFEST_FILE, [Buffer.from(`${JSON.stringify(set.manifest, null, 2)}\n`)]);
}

const ROLES = ['encoder', 'prefill', 'decoder-step'] as const;

const manifestSchema = z.object({
  format: z.literal('llm-deploy-graphs'),
  version: z.literal(2),
  family: z.string().min(1),
  graphs: z.array(z.object({ role: z.enum(ROLES), file: z.string().min(1) })).min(1),
  externalDataFiles: z.array(z.string()),
  quantize: z.enum(['none', 'int8']),
  fuseQkv: z.boolean(),
});

const legacyT5Schema = z.object({
  format: z.literal('llm-deploy-t5-graphs'),
  version: z.literal(1),
  encoderFile: z.string().min(1),
  decoderFile: z.string().min(1),
  externalDataFiles: z.array(z.string()),
  quantize: z.enum(['none', 'int8']),
  fuseQkv: z.boolean(),
});

function graphsInvalid(summary: string, facts: { file: string; field?: string; given?: string; expected: string; cause?: unknown }) {
  return new LlmDeployError(summary, { code: 'ENGINE_GRAPHS_INVALID', ...facts });
}

/** Reads and checks the manifest of a graph directory (`graphs.json`, or a previous version's `t5-graphs.json`). */
export async function readGraphManifest(directory: string): Promise<GraphManifest> {
  const legacy =
    !(await entryExists(join(directory, GRAPH_MANIFEST_FILE))) && (await entryExists(join(directory, LEGACY_T5_MANIFEST_FILE)));
  const file = join(directory, legacy ? LEGACY_T5_MANIFEST_FILE : GRAPH_MANIFEST_FILE);
  const expected = legacy ? 'a t5-graphs manifest' : 'a graphs manifest';
  let value: unknown;
  try {
    // The model module's reader: regular files only (a FIFO would block), size-capped, nesting bounded.
    value = await readJsonFile(file, { expected });
  } catch (cause) {
    throw graphsInvalid('graph manifest is missing or not JSON', { file, expected, cause });
  }
  const parsed = legacy ? legacyT5Schema.safeParse(value) : manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw graphsInvalid('graph manifest is invalid', { file, field: issue?.path.join('.') ?? '', expected: issue?.message ?? expected });
  }
  const manifest = 'family' in parsed.data ? parsed.data : fromLegacyT5(parsed.data);
  checkGraphFiles(directory, { file, manifest, legacy });
  return manifest;
}

function fromLegacyT5(legacy: z.infer<typeof legacyT5Schema>): GraphManifest {
  const { externalDataFiles, quantize, fuseQkv } = legacy;
  const graphs = [
    { role: 'encoder', file: legacy.encoderFile },
    { role: 'decoder-step', file: legacy.decoderFile },
  ] as const;
  return { format: 'llm-deploy-graphs', version: 2, family: 't5', graphs, externalDataFiles, quantize, fuseQkv };
}

// onnxruntime opens these by path itself, so each must be a regular file inside the directory before it is handed over.
function checkGraphFiles(directory: string, read: { file: string; manifest: GraphManifest; legacy: boolean }): void {
  const { manifest, legacy } = read;
  const graphField = (index: number): string => (legacy ? (['encoderFile', 'decoderFile'][index] ?? '') : `graphs.${index}.file`);
  const listed: [string, string][] = [
    ...manifest.graphs.map((graph, index): [string, string] => [graphField(index), graph.file]),
    ...manifest.externalDataFiles.map((name, index): [string, string] => [`externalDataFiles.${index}`, name]),
  ];
  for (const [field, name] of listed) {
    const relative = normalize(name);
    const fail = (summary: string, cause?: unknown): LlmDeployError =>
      graphsInvalid(summary, {
        file: read.file,
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

/** Each role's graph as onnxruntime takes it: a file path, or the protobuf bytes when no external data is needed. */
export type GraphSources = Readonly<Partial<Record<GraphRole, Uint8Array | string>>>;

/** Graphs in memory, or a graph directory on disk. */
export type GraphSetSource = GraphSet | { readonly directory: string };

/**
 * Hands `open` each role's graph source and the manifest; in-memory sets with external data go through a
 * temporary directory (onnxruntime finds external data only beside a model file), removed once `open` is done.
 */
export async function withGraphSources<T>(
  source: GraphSetSource,
  open: (sources: GraphSources, manifest: GraphManifest) => Promise<T>,
): Promise<T> {
  if ('directory' in source) {
    const manifest = await readGraphManifest(source.directory);
    return open(
      sourcesOf(manifest, (file) => join(source.directory, file)),
      manifest,
    );
  }
  const { manifest, files } = source;
  if (manifest.externalDataFiles.length === 0) {
    const bytesOf = (name: string): Uint8Array => files.find((file) => file.name === name)?.chunks[0] ?? new Uint8Array();
    return open(sourcesOf(manifest, bytesOf), manifest);
  }
  const temporary = await mkdtemp(join(tmpdir(), 'llm-deploy-graphs-'));
  try {
    await writeGraphSet(temporary, source);
    return await open(
      sourcesOf(manifest, (file) => join(temporary, file)),
      manifest,
    );
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** The source of `role`'s graph; ENGINE_GRAPHS_INVALID when the set lacks it. */
export function requireGraph(sources: GraphSources, role: GraphRole): Uint8Array | string {
  const source = sources[role];
  if (source === undefined) {
    throw new LlmDeployError('graph set lacks a graph', { code: 'ENGINE_GRAPHS_INVALID', field: 'graphs', expected: `a ${role} graph` });
  }
  return source;
}

function sourcesOf(manifest: GraphManifest, locate: (file: string) => Uint8Array | string): GraphSources {
  return Object.fromEntries(manifest.graphs.map((graph) => [graph.role, locate(graph.file)]));
}
