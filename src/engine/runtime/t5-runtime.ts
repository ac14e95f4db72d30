/**
 * The onnxruntime implementation of {@link T5Runtime}: the shared seq2seq runtime over T5's graphs,
 * fed T5's relative-position buckets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parameterCount, type T5Config } from '../../model/index.js';
import { buildT5Graphs, buildT5GraphsInto, readT5GraphManifest, writeT5Graphs } from '../graph/t5-graphs.js';
import { openGraphSession } from '../session/ort.js';
import type { Quantize } from '../settings.js';
import { decoderBucketTable, encoderBuckets } from './relative-position.js';
import { OrtSeq2SeqRuntime, type PositionFeeds } from './seq2seq-runtime.js';
import type { CreateT5RuntimeFromGraphsOptions, CreateT5RuntimeOptions, T5Runtime } from './types.js';
/** Threads when the caller does not say: measured (see the README's engine section). */
const DEFAULT_THREADS = { encoder: 2, decoder: 1 };

/**
 * Past this many float32 weight bytes createT5Runtime builds the graphs straight into temporary
 * files with external data: no JavaScript copy of the checkpoint is held, and onnxruntime maps the
 * weights from the files (see the README's Peak RSS notes for the measurements).
 */
const LEAN_LOAD_THRESHOLD_BYTES = 32 * 1024 * 1024;

/** Builds the graphs from a checkpoint's weights and opens them. */
export async function createT5Runtime(options: CreateT5RuntimeOptions): Promise<T5Runtime> {
  const { weights, config, threads, provider, ...graphOptions } = options;
  const open = (graphs: CreateT5RuntimeFromGraphsOptions['graphs']): Promise<T5Runtime> =>
    createT5RuntimeFromGraphs({
      config,
      graphs,
      ...(threads === undefined ? {} : { threads }),
      ...(provider === undefined ? {} : { provider }),
    });
  if (4 * parameterCount(weights) <= LEAN_LOAD_THRESHOLD_BYTES) return open(buildT5Graphs(config, weights, graphOptions));
  // onnxruntime finds external data only beside a model file, so the graphs go through a temporary directory.
  const directory = await mkdtemp(join(tmpdir(), 'llm-deploy-graphs-'));
  try {
    await buildT5GraphsInto(directory, config, weights, graphOptions);
    return await open({ directory });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Opens graphs built earlier: in memory, or a directory written by writeT5Graphs. */
export async function createT5RuntimeFromGraphs(options: CreateT5RuntimeFromGraphsOptions): Promise<T5Runtime> {
  const { graphs } = options;
  let directory: string | undefined;
  let temporary: string | undefined;
  let sources: { encoder: Uint8Array | string; decoder: Uint8Array | string };
  let quantize: Quantize;
  if ('directory' in graphs) {
    directory = graphs.directory;
    const manifest = await readT5GraphManifest(directory);
    quantize = manifest.quantize;
    sources = { encoder: join(directory, manifest.encoderFile), decoder: join(directory, manifest.decoderFile) };
  } else if (graphs.manifest.externalDataFiles.length > 0) {
    // onnxruntime finds external data only beside a model file, so large graphs go through a temporary directory.
    temporary = await mkdtemp(join(tmpdir(), 'llm-deploy-graphs-'));
    await writeT5Graphs(temporary, graphs);
    quantize = graphs.manifest.quantize;
    sources = { encoder: join(temporary, graphs.manifest.encoderFile), decoder: join(temporary, graphs.manifest.decoderFile) };
  } else {
    quantize = graphs.manifest.quantize;
    const bytesOf = (name: string): Uint8Array => graphs.files.find((file) => file.name === name)?.chunks[0] ?? new Uint8Array();
    sources = { encoder: bytesOf(graphs.manifest.encoderFile), decoder: bytesOf(graphs.manifest.decoderFile) };
  }
  const threads =
    options.threads !== undefined && options.threads > 0 ? { encoder: options.threads, decoder: options.threads } : DEFAULT_THREADS;
  try {
    const provider = options.provider ?? 'auto';
    // The decoder first: its session init briefly holds the head twice (mapped and prepacked), and
    // that peak then does not sit on top of the encoder's weights.
    const decoder = await openGraphSession(sources.decoder, {
      threads: threads.decoder,
      provider,
      label: labelOf(sources.decoder, 'decoder graph'),
    });
    const encoder = await openGraphSession(sources.encoder, {
      threads: threads.encoder,
      provider,
      label: labelOf(sources.encoder, 'encoder graph'),
    }).catch(async (error: unknown) => {
      await decoder.close();
      throw error;
    });
    return new OrtSeq2SeqRuntime({ config: options.config, quantize, encoder, decoder, positions: t5PositionFeeds(options.config) });
  } finally {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  }
}

function labelOf(source: Uint8Array | string, fallback: string): string {
  return typeof source === 'string' ? source : fallback;
}

/** T5's position inputs: bidirectional relative buckets in the encoder, causal ones per cache slot in the step. */
function t5PositionFeeds(config: T5Config): PositionFeeds {
  const numBuckets = config.relativeAttentionNumBuckets;
  const maxDistance = config.relativeAttentionMaxDistance;
  const bucketTable = decoderBucketTable(maxDistance + 1, { numBuckets, maxDistance });
  const lastDistance = bucketTable.length - 1;
  return {
    encoder: (length) => ({
      position_bucket: {
        type: 'int64',
        dims: [length, length],
        data: encoderBuckets(length, { numBuckets, maxDistance, bidirectional: true }),
      },
    }),
    step: (positions, slots) => {
      const bucket = new BigInt64Array(positions.length * slots);
      positions.forEach((position, row) => {
        for (let slot = 0; slot < position; slot++)
          bucket[row * slots + slot] = bucketTable[Math.min(position - slot, lastDistance)] as bigint;
        bucket[row * slots + slots - 1] = bucketTable[0] as bigint;
      });
      return { self_bucket: { type: 'int64', dims: [positions.length, slots], data: bucket } };
    },
  };
}
