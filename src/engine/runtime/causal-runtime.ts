/**
 * The onnxruntime implementation of {@link CausalRuntime}. `encode` prefills every prompt but its last
 * token into per-row caches (right-padded, each row at positions 0..n-2: no left-padding cost), and
 * the first decode step feeds that last token, so the scheduler and the searches run as for T5.
 */
import { parameterCount, type CausalConfig, type WeightStore } from '../../model/index.js';
import { buildCausalPrefillGraph, buildCausalStepGraph, type CausalGraphInput } from '../graph/causal-graphs.js';
import { withBuiltGraphSet, withGraphSources, type GraphSetSource } from '../graph/graph-set.js';
import type { ExternalDataWriter, GraphBuilder } from '../graph/proto.js';
import type { Int8Operator } from '../graph/t5-layers.js';
import type { GraphSession, SessionTensor } from '../session/ort.js';
import type { Quantize } from '../settings.js';
import { CacheRows } from './cache-rows.js';
import { DecoderCache, type CrossBuffers } from './decoder-cache.js';
import { openPromptAndStepSessions } from './encoder-decoder-sessions.js';
import { runtimeInputInvalid, stateInvalid } from './errors.js';
import { RowRuntime } from './row-runtime.js';
import { RopeTables } from './rope-tables.js';
import type { CausalRuntime, DecoderState, PromptBatch, StartDecodingOptions } from './types.js';

/** Additive attention bias of masked positions (softmax gives them exactly 0, as finfo.min does in transformers). */
const MASKED = -1e9;
const DEFAULT_CAPACITY = 32;

/** Options of {@link createCausalRuntime}. */
export interface CreateCausalRuntimeOptions {
  readonly config: CausalConfig;
  readonly weights: WeightStore;
  readonly quantize?: Quantize;
  readonly int8Operator?: Int8Operator;
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
  /**
   * Checkpoints with more float32 weight bytes than this are streamed into temporary graph files, as
   * T5's are: no JavaScript copy of the checkpoint is held (default 32 MiB; README: Peak memory).
   */
  readonly externalDataThresholdBytes?: number;
}

/** How each decoder-only graph is built, by role (given a writer, weights stream to it); nothing is built until a builder is called. */
export function causalGraphBuilders(
  input: CausalGraphInput,
): Readonly<Record<'prefill' | 'decoder-step', (externalData?: ExternalDataWriter) => GraphBuilder>> {
  const withData = (externalData?: ExternalDataWriter): CausalGraphInput =>
    externalData === undefined ? input : { ...input, externalData };
  return {
    prefill: (externalData) => buildCausalPrefillGraph(withData(externalData)),
    'decoder-step': (externalData) => buildCausalStepGraph(withData(externalData)),
  };
}

/** Builds the prefill and step graphs from a checkpoint's weights and opens them. */
export async function createCausalRuntime(options: CreateCausalRuntimeOptions): Promise<CausalRuntime> {
  const quantize = options.quantize ?? 'none';
  const builders = causalGraphBuilders({
    config: options.config,
    weights: options.weights,
    quantize,
    int8Operator: options.int8Operator ?? 'MatMulNBits',
  });
  const parts = CAUSAL_GRAPH_FILES.map((graph) => ({ ...graph, build: builders[graph.role] }));
  // Sets built here are opened, never kept as a graph directory: the model type stands in for the family name.
  const facts = {
    family: options.config.modelType,
    quantize,
    externalDataThresholdBytes: Infinity,
    weightBytes: 4 * parameterCount(options.weights),
    ...(options.externalDataThresholdBytes === undefined ? {} : { streamAboveBytes: options.externalDataThresholdBytes }),
  };
  return withBuiltGraphSet(parts, facts, (graphs) => createCausalRuntimeFromGraphs({ ...options, graphs }));
}

/** The decoder-only graph files of a graph directory, by role (every decoder-only family's table row names these). */
export const CAUSAL_GRAPH_FILES = Object.freeze([
  { role: 'prefill', file: 'prefill.onnx' },
  { role: 'decoder-step', file: 'decoder.onnx' },
] as const);

/** Options of {@link createCausalRuntimeFromGraphs}: graphs built earlier (in memory, or a graph directory). */
export interface CreateCausalRuntimeFromGraphsOptions {
  readonly config: CausalConfig;
  readonly graphs: GraphSetSource;
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
}

/** Opens decoder-only graphs built earlier: in memory, or a graph directory written by `convert --to onnx`. */
export async function createCausalRuntimeFromGraphs(options: CreateCausalRuntimeFromGraphsOptions): Promise<CausalRuntime> {
  return withGraphSources(options.graphs, async (sources, manifest) => {
    const { prompt, step } = await openPromptAndStepSessions(sources, 'prefill', {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      provider: options.provider ?? 'auto',
      label: options.config.modelType,
    });
    return new OrtCausalRuntime({ config: options.config, quantize: manifest.quantize, prefill: prompt, step });
  });
}

/** Prefilled prompts: per layer keys `[rows, kv, headDim, S]` and values `[rows, kv, S, headDim]` of prompt[:-1]. */
interface Prefill {
  readonly inputLengths: readonly number[];
  readonly startTokenIds: readonly number[];
  /** S: the longest prompt minus its last token. */
  readonly prefillLength: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

class PrefilledRows implements PromptBatch, Prefill {
  readonly inputLengths: readonly number[];
  readonly startTokenIds: readonly number[];
  readonly prefillLength: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];

  constructor(
    readonly owner: OrtCausalRuntime,
    prefill: Prefill,
  ) {
    ({ inputLengths: this.inputLengths, startTokenIds: this.startTokenIds, prefillLength: this.prefillLength } = prefill);
    ({ keys: this.keys, values: this.values } = prefill);
  }

  get rows(): number {
    return this.inputLengths.length;
  }
}

interface RuntimeParts {
  readonly config: CausalConfig;
  readonly quantize: Quantize;
  readonly prefill: GraphSession;
  readonly step: GraphSession;
}

let nextOrigin = 0;

class OrtCausalRuntime extends RowRuntime<CausalConfig> implements CausalRuntime {
  readonly architecture = 'decoder-only';
  readonly maxSequenceTokens?: number;
  private readonly rope: RopeTables;

  constructor(private readonly parts: RuntimeParts) {
    const geometry = { layers: parts.config.numLayers, heads: parts.config.numKvHeads, dKv: parts.config.headDim };
    super({ config: parts.config, quantize: parts.quantize, rows: new CacheRows(geometry), sessions: [parts.prefill, parts.step] });
    this.rope = new RopeTables(parts.config);
    // RoPE extrapolates (as transformers does past max_position_embeddings); a learned position table ends.
    if (parts.config.style.learnedPositions) this.maxSequenceTokens = parts.config.maxPositionEmbeddings;
  }

  async encode(inputIds: readonly (readonly number[])[]): Promise<PromptBatch> {
    this.checkOpen();
    if (inputIds.length === 0) throw runtimeInputInvalid('inputIds', [], 'at least one row');
    inputIds.forEach((row, index) => {
      if (row.length < 1) throw runtimeInputInvalid(`inputIds[${index}]`, [], 'at least 1 token');
      row.forEach((id, position) => this.checkId(`inputIds[${index}][${position}]`, id));
    });
    const lengths = inputIds.map((row) => row.length);
    const starts = inputIds.map((row) => row[row.length - 1] as number);
    const length = Math.max(...lengths) - 1;
    if (length === 0)
      return new PrefilledRows(this, { inputLengths: lengths, startTokenIds: starts, prefillLength: 0, keys: [], values: [] });
    const outputs = await this.parts.prefill.run(this.prefillFeeds(inputIds, length));
    const layers = Array.from({ length: this.config.numLayers }, (_, layer) => layer);
    const keys = layers.map((layer) => floatData(outputs, `present_key_${layer}`));
    const values = layers.map((layer) => floatData(outputs, `present_value_${layer}`));
    return new PrefilledRows(this, { inputLengths: lengths, startTokenIds: starts, prefillLength: length, keys, values });
  }

  private prefillFeeds(inputIds: readonly (readonly number[])[], length: number): Record<string, SessionTensor> {
    const rows = inputIds.length;
    const dim = this.config.rotaryDim;
    const ids = new BigInt64Array(rows * length);
    const positions = new BigInt64Array(rows * length);
    const tables = { cos: new Float32Array(rows * length * dim), sin: new Float32Array(rows * length * dim) };
    const bias = new Float32Array(rows * length * length).fill(MASKED);
    const window = this.config.slidingWindow ?? Number.POSITIVE_INFINITY;
    inputIds.forEach((row, index) => {
      const prefix = row.length - 1;
      for (let position = 0; position < prefix; position++) {
        ids[index * length + position] = BigInt(row[position] as number);
        positions[index * length + position] = BigInt(position);
        if (dim > 0) this.rope.write(tables, (index * length + position) * dim, { position, length: prefix });
        const base = (index * length + position) * length;
        for (let key = Math.max(0, position - window + 1); key <= position; key++) bias[base + key] = 0;
      }
    });
    return {
      input_ids: { type: 'int64', dims: [rows, length], data: ids },
      attention_bias: { type: 'float32', dims: [rows, 1, length, length], data: bias },
      ...this.positionFeeds({ dims: [rows, length], positions, tables }),
    };
  }

  /** RoPE tables, or GPT-2's position ids, as the graphs declare them. */
  private positionFeeds(feed: {
    readonly dims: readonly number[];
    readonly positions: BigInt64Array;
    readonly tables: { readonly cos: Float32Array; readonly sin: Float32Array };
  }): Record<string, SessionTensor> {
    const { rotaryDim, style } = this.config;
    const rope: Record<string, SessionTensor> =
      rotaryDim > 0
        ? {
            rope_cos: { type: 'float32', dims: [...feed.dims, rotaryDim], data: feed.tables.cos },
            rope_sin: { type: 'float32', dims: [...feed.dims, rotaryDim], data: feed.tables.sin },
          }
        : {};
    return style.learnedPositions ? { ...rope, position_ids: { type: 'int64', dims: feed.dims, data: feed.positions } } : rope;
  }

  startDecoding(prompts: PromptBatch, options: StartDecodingOptions = {}): DecoderState {
    this.checkOpen();
    if (!(prompts instanceof PrefilledRows) || prompts.owner !== this) throw stateInvalid('prompts', 'a PromptBatch from this runtime');
    const rows = options.rows ?? Array.from({ length: prompts.rows }, (_, row) => row);
    for (const row of rows)
      if (!Number.isInteger(row) || row < 0 || row >= prompts.rows)
        throw runtimeInputInvalid('rows', row, `a row index in 0..${prompts.rows - 1}`);
    const positions = rows.map((row) => (prompts.inputLengths[row] as number) - 1);
    const capacity = Math.max(1, Math.max(...positions) + (options.expectedTokens ?? DEFAULT_CAPACITY));
    const cache = new DecoderCache(this.rows.geometry, emptyCross(rows, this.config.numLayers), { positions, capacity });
    if (prompts.prefillLength > 0) copyPrefill(cache, prompts, rows);
    return cache;
  }

  async step(state: DecoderState, tokenIds: readonly number[]): Promise<Float32Array> {
    this.checkOpen();
    const cache = this.rows.own(state, 'state');
    if (tokenIds.length !== cache.rows) throw runtimeInputInvalid('tokenIds', tokenIds.length, `${cache.rows} token ids, one per row`);
    tokenIds.forEach((id, row) => this.checkId(`tokenIds[${row}]`, id));
    const needed = Math.max(...cache.positions) + 1;
    if (needed > cache.capacity) cache.grow(Math.max(needed, cache.capacity * 2));
    const outputs = await this.parts.step.run(this.stepFeeds(cache, tokenIds));
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      cache.append(layer, floatData(outputs, `new_key_${layer}`), floatData(outputs, `new_value_${layer}`));
    }
    cache.positions = cache.positions.map((position) => position + 1);
    return floatData(outputs, 'logits');
  }

  private stepFeeds(cache: DecoderCache, tokenIds: readonly number[]): Record<string, SessionTensor> {
    const { rows, capacity } = cache;
    const { numKvHeads: heads, headDim, rotaryDim: dim } = this.config;
    const slots = capacity + 1;
    const window = this.config.slidingWindow ?? Number.POSITIVE_INFINITY;
    const tables = { cos: new Float32Array(rows * dim), sin: new Float32Array(rows * dim) };
    const bias = new Float32Array(rows * slots).fill(MASKED);
    for (let row = 0; row < rows; row++) {
      const position = cache.positions[row] as number;
      if (dim > 0) this.rope.write(tables, row * dim, { position, length: position + 1 });
      // 4.36 eager: a query at position i sees keys j with i - window < j <= i.
      bias.fill(0, row * slots + Math.max(0, position - window + 1), row * slots + position);
      bias[row * slots + capacity] = 0;
    }
    const feeds: Record<string, SessionTensor> = {
      input_ids: { type: 'int64', dims: [rows], data: BigInt64Array.from(tokenIds, (id) => BigInt(id)) },
      self_bias: { type: 'float32', dims: [rows, slots], data: bias },
      ...this.positionFeeds({ dims: [rows], positions: BigInt64Array.from(cache.positions, (position) => BigInt(position)), tables }),
    };
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      const live = cache.layerFeeds(layer);
      feeds[`past_key_${layer}`] = { type: 'float32', dims: [rows, heads, headDim, capacity], data: live.selfKeys };
      feeds[`past_value_${layer}`] = { type: 'float32', dims: [rows, heads, capacity, headDim], data: live.selfValues };
    }
    return feeds;
  }

  private checkId(field: string, id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)
      throw runtimeInputInvalid(field, id, `an id in 0..${this.config.vocabSize - 1}`);
  }
}

// Decoder-only rows have no encoder: cross buffers of length 0 keep the shared cache code unchanged.
function emptyCross(rows: readonly number[], layers: number): CrossBuffers {
  const empty = Array.from({ length: layers }, () => new Float32Array(0));
  return {
    rows: rows.length,
    rowCapacity: rows.length,
    encoderLength: 0,
    encoderLengths: rows.map(() => 0),
    origins: rows.map(() => nextOrigin++),
    keys: empty,
    values: empty,
  };
}

/** Copies each chosen prompt row's prefill keys/values into slots 0..n-2 of the cache rows. */
function copyPrefill(cache: DecoderCache, prompts: PrefilledRows, rows: readonly number[]): void {
  const { heads, dKv, layers } = cache.geometry;
  const { prefillLength: length } = prompts;
  const { capacity } = cache;
  for (let layer = 0; layer < layers; layer++) {
    const keys = cache.selfKeys[layer] as Float32Array;
    const values = cache.selfValues[layer] as Float32Array;
    const sourceKeys = prompts.keys[layer] as Float32Array;
    const sourceValues = prompts.values[layer] as Float32Array;
    rows.forEach((source, row) => {
      const used = cache.positions[row] as number;
      for (let line = 0; line < heads * dKv; line++) {
        const from = (source * heads * dKv + line) * length;
        keys.set(sourceKeys.subarray(from, from + used), (row * heads * dKv + line) * capacity);
      }
      for (let head = 0; head < heads; head++) {
        const from = (source * heads + head) * length * dKv;
        values.set(sourceValues.subarray(from, from + used * dKv), (row * heads + head) * capacity * dKv);
      }
    });
  }
}

function floatData(outputs: Readonly<Record<string, SessionTensor>>, name: string): Float32Array {
  const tensor = outputs[name];
  if (tensor?.type !== 'float32') throw runtimeInputInvalid('graph output', name, 'a float32 tensor');
  return tensor.data;
}
