/**
 * The onnxruntime implementation of {@link T5Runtime}: an encoder session and a decoder-step
 * session, with the per-row caches kept in {@link DecoderCache} buffers on the JavaScript side.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { T5Config } from '../../model/index.js';
import { buildT5Graphs, readT5GraphManifest, writeT5Graphs } from '../graph/t5-graphs.js';
import { openGraphSession } from '../session/ort.js';
import type { GraphSession, SessionTensor } from '../session/ort.js';
import type { Quantize } from '../settings.js';
import { CacheRows } from './cache-rows.js';
import { DecoderCache, selectCross } from './decoder-cache.js';
import type { CacheGeometry, CrossBuffers } from './decoder-cache.js';
import { runtimeInputInvalid, stateInvalid } from './errors.js';
import { RowRuntime } from './row-runtime.js';
import { decoderBucketTable, encoderBuckets } from './relative-position.js';
import type {
  CreateT5RuntimeFromGraphsOptions,
  CreateT5RuntimeOptions,
  DecoderState,
  EncodedBatch,
  StartDecodingOptions,
  T5Runtime,
} from './types.js';

/** Additive attention bias of masked positions (softmax gives them exactly 0). */
const MASKED = -1e9;
/** Cache slots allocated when the caller gives no hint. */
const DEFAULT_CAPACITY = 32;
/** Threads when the caller does not say: measured (see the README's engine section). */
const DEFAULT_THREADS = { encoder: 2, decoder: 1 };

/**
 * Past this many weight bytes createT5Runtime hands the graphs to onnxruntime as files with external
 * data: measured on t5-small, RSS after loading falls from about 3.4x to 1.3x the weights, because
 * onnxruntime then holds the only copy of the weights.
 */
const LEAN_LOAD_THRESHOLD_BYTES = 32 * 1024 * 1024;

/** Builds the graphs from a checkpoint's weights and opens them. */
export async function createT5Runtime(options: CreateT5RuntimeOptions): Promise<T5Runtime> {
  const { weights, config, threads, provider, ...graphOptions } = options;
  const graphs = buildT5Graphs(config, weights, { externalDataThresholdBytes: LEAN_LOAD_THRESHOLD_BYTES, ...graphOptions });
  return createT5RuntimeFromGraphs({
    config,
    graphs,
    ...(threads === undefined ? {} : { threads }),
    ...(provider === undefined ? {} : { provider }),
  });
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
    const encoder = await openGraphSession(sources.encoder, {
      threads: threads.encoder,
      provider,
      label: labelOf(sources.encoder, 'encoder graph'),
    });
    const decoder = await openGraphSession(sources.decoder, {
      threads: threads.decoder,
      provider,
      label: labelOf(sources.decoder, 'decoder graph'),
    });
    return new OrtT5Runtime({ config: options.config, quantize, encoder, decoder });
  } finally {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  }
}

function labelOf(source: Uint8Array | string, fallback: string): string {
  return typeof source === 'string' ? source : fallback;
}

/** An encoded batch with its cross-attention buffers. */
class EncodedRows implements EncodedBatch {
  constructor(
    readonly lastHiddenState: Float32Array,
    readonly cross: CrossBuffers,
    readonly owner: OrtT5Runtime,
  ) {}

  get rows(): number {
    return this.cross.rows;
  }

  get encoderLength(): number {
    return this.cross.encoderLength;
  }

  get inputLengths(): readonly number[] {
    return this.cross.encoderLengths;
  }
}

interface RuntimeParts {
  readonly config: T5Config;
  readonly quantize: Quantize;
  readonly encoder: GraphSession;
  readonly decoder: GraphSession;
}

let nextOrigin = 0;

class OrtT5Runtime extends RowRuntime<T5Config> implements T5Runtime {
  readonly architecture = 'encoder-decoder';
  private readonly geometry: CacheGeometry;
  private readonly bucketTable: BigInt64Array;

  constructor(private readonly parts: RuntimeParts) {
    const geometry = { layers: parts.config.numDecoderLayers, heads: parts.config.numHeads, dKv: parts.config.dKv };
    super({ config: parts.config, quantize: parts.quantize, rows: new CacheRows(geometry), sessions: [parts.encoder, parts.decoder] });
    this.geometry = this.rows.geometry;
    const maxDistance = parts.config.relativeAttentionMaxDistance;
    this.bucketTable = decoderBucketTable(maxDistance + 1, { numBuckets: parts.config.relativeAttentionNumBuckets, maxDistance });
  }

  async encode(inputIds: readonly (readonly number[])[]): Promise<EncodedBatch> {
    this.checkOpen();
    if (inputIds.length === 0) throw runtimeInputInvalid('inputIds', [], 'at least one row');
    const lengths = inputIds.map((row) => row.length);
    const length = Math.max(...lengths);
    if (Math.min(...lengths) < 1) throw runtimeInputInvalid('inputIds', lengths, 'every row at least 1 token long');
    const rows = inputIds.length;
    const ids = new BigInt64Array(rows * length).fill(BigInt(this.config.padTokenId));
    const bias = new Float32Array(rows * length).fill(MASKED);
    inputIds.forEach((row, index) => {
      row.forEach((id, position) => {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)
          throw runtimeInputInvalid(`inputIds[${index}][${position}]`, id, `an id in 0..${this.config.vocabSize - 1}`);
        ids[index * length + position] = BigInt(id);
        bias[index * length + position] = 0;
      });
    });
    const buckets = encoderBuckets(length, {
      numBuckets: this.config.relativeAttentionNumBuckets,
      maxDistance: this.config.relativeAttentionMaxDistance,
      bidirectional: true,
    });
    const outputs = await this.parts.encoder.run({
      input_ids: { type: 'int64', dims: [rows, length], data: ids },
      attention_bias: { type: 'float32', dims: [rows, length], data: bias },
      position_bucket: { type: 'int64', dims: [length, length], data: buckets },
    });
    const floatOutput = (name: string): Float32Array => {
      const tensor = outputs[name];
      if (tensor?.type !== 'float32') throw runtimeInputInvalid('encoder output', name, 'a float32 tensor');
      return tensor.data;
    };
    const layers = Array.from({ length: this.geometry.layers }, (_, layer) => layer);
    const cross: CrossBuffers = {
      rows,
      encoderLength: length,
      encoderLengths: lengths,
      origins: lengths.map(() => nextOrigin++),
      keys: layers.map((layer) => floatOutput(`cross_key_${layer}`)),
      values: layers.map((layer) => floatOutput(`cross_value_${layer}`)),
    };
    return new EncodedRows(floatOutput('last_hidden_state'), cross, this);
  }

  startDecoding(encoded: EncodedBatch, options: StartDecodingOptions = {}): DecoderState {
    this.checkOpen();
    if (!(encoded instanceof EncodedRows) || encoded.owner !== this) throw stateInvalid('encoded', 'an EncodedBatch from this runtime');
    const rows = options.rows ?? Array.from({ length: encoded.rows }, (_, row) => row);
    for (const row of rows)
      if (!Number.isInteger(row) || row < 0 || row >= encoded.rows)
        throw runtimeInputInvalid('rows', row, `a row index in 0..${encoded.rows - 1}`);
    const identity = rows.length === encoded.rows && rows.every((row, index) => row === index);
    const cross = identity
      ? encoded.cross
      : selectCross(
          rows.map((row) => ({ cross: encoded.cross, row })),
          this.geometry,
          encoded.encoderLength,
        );
    const capacity = Math.max(1, options.expectedTokens ?? DEFAULT_CAPACITY);
    return new DecoderCache(this.geometry, cross, { positions: rows.map(() => 0), capacity });
  }

  async step(state: DecoderState, tokenIds: readonly number[]): Promise<Float32Array> {
    this.checkOpen();
    const cache = this.ownCache(state, 'state');
    if (tokenIds.length !== cache.rows) throw runtimeInputInvalid('tokenIds', tokenIds.length, `${cache.rows} token ids, one per row`);
    const needed = Math.max(...cache.positions) + 1;
    if (needed > cache.capacity) cache.grow(Math.max(needed, cache.capacity * 2));
    const feeds = this.stepFeeds(cache, tokenIds);
    const outputs = await this.parts.decoder.run(feeds);
    for (let layer = 0; layer < this.geometry.layers; layer++) {
      cache.append(layer, floatData(outputs, `new_key_${layer}`), floatData(outputs, `new_value_${layer}`));
    }
    cache.positions = cache.positions.map((position) => position + 1);
    return floatData(outputs, 'logits');
  }

  private stepFeeds(cache: DecoderCache, tokenIds: readonly number[]): Record<string, SessionTensor> {
    const { rows, capacity } = cache;
    const { heads, dKv } = this.geometry;
    const slots = capacity + 1;
    const ids = new BigInt64Array(rows);
    const bucket = new BigInt64Array(rows * slots);
    const selfBias = new Float32Array(rows * slots).fill(MASKED);
    const lastDistance = this.bucketTable.length - 1;
    for (let row = 0; row < rows; row++) {
      const id = tokenIds[row] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)
        throw runtimeInputInvalid(`tokenIds[${row}]`, id, `an id in 0..${this.config.vocabSize - 1}`);
      ids[row] = BigInt(id);
      const position = cache.positions[row] as number;
      for (let slot = 0; slot < position; slot++) {
        bucket[row * slots + slot] = this.bucketTable[Math.min(position - slot, lastDistance)] as bigint;
        selfBias[row * slots + slot] = 0;
      }
      bucket[row * slots + capacity] = this.bucketTable[0] as bigint;
      selfBias[row * slots + capacity] = 0;
    }
    const encoderLength = cache.cross.encoderLength;
    const crossBias = new Float32Array(rows * encoderLength).fill(MASKED);
    cache.cross.encoderLengths.forEach((length, row) => crossBias.fill(0, row * encoderLength, row * encoderLength + length));
    const feeds: Record<string, SessionTensor> = {
      input_ids: { type: 'int64', dims: [rows], data: ids },
      self_bucket: { type: 'int64', dims: [rows, slots], data: bucket },
      self_bias: { type: 'float32', dims: [rows, slots], data: selfBias },
      cross_bias: { type: 'float32', dims: [rows, encoderLength], data: crossBias },
    };
    for (let layer = 0; layer < this.geometry.layers; layer++) {
      feeds[`past_key_${layer}`] = { type: 'float32', dims: [rows, heads, dKv, capacity], data: cache.selfKeys[layer] as Float32Array };
      feeds[`past_value_${layer}`] = { type: 'float32', dims: [rows, heads, capacity, dKv], data: cache.selfValues[layer] as Float32Array };
      feeds[`cross_key_${layer}`] = {
        type: 'float32',
        dims: [rows, heads, dKv, encoderLength],
        data: cache.cross.keys[layer] as Float32Array,
      };
      feeds[`cross_value_${layer}`] = {
        type: 'float32',
        dims: [rows, heads, encoderLength, dKv],
        data: cache.cross.values[layer] as Float32Array,
      };
    }
    return feeds;
  }

  private ownCache(state: DecoderState, field: string): DecoderCache {
    return this.rows.own(state, field);
  }
}

function floatData(outputs: Readonly<Record<string, SessionTensor>>, name: string): Float32Array {
  const tensor = outputs[name];
  if (tensor?.type !== 'float32') throw runtimeInputInvalid('decoder output', name, 'a float32 tensor');
  return tensor.data;
}
