/**
 * The onnxruntime encoder-decoder runtime every seq2seq family shares: an encoder session and a
 * decoder-step session, the per-row caches kept in {@link DecoderCache} buffers on the JavaScript side.
 * A family differs only in its graphs and in the position inputs it feeds ({@link PositionFeeds}).
 */
import type { GenerationModelFacts } from '../../model/index.js';
import type { GraphSession, SessionTensor } from '../session/ort.js';
import type { Quantize } from '../settings.js';
import { CacheRows } from './cache-rows.js';
import type { CacheGeometry } from './cache-layout.js';
import { DecoderCache, selectCross } from './decoder-cache.js';
import type { CrossBuffers } from './decoder-cache.js';
import { runtimeInputInvalid, stateInvalid } from './errors.js';
import { RowRuntime } from './row-runtime.js';
import type { DecoderState, EncodedBatch, GenerationRuntime, StartDecodingOptions } from './types.js';

/** Additive attention bias of masked positions (softmax gives them exactly 0). */
export const MASKED = -1e9;
/** Cache slots allocated when the caller gives no hint. */
const DEFAULT_CAPACITY = 32;

/** What the shared runtime reads of a seq2seq config. */
export type Seq2SeqFacts = GenerationModelFacts & {
  /** Ids the encoder embeds, when not the decoder's `vocabSize` (Marian with separate vocabularies). */
  readonly encoderVocabSize?: number;
  readonly numDecoderLayers: number;
  readonly numHeads: number;
  readonly dKv: number;
};

/** The position inputs of a family's graphs: T5's relative buckets, BART's learned position ids. */
export interface PositionFeeds {
  /** Extra encoder inputs for `length` tokens per row. */
  encoder(length: number): Record<string, SessionTensor>;
  /** Extra step inputs: each row's new token at `positions[row]`, `slots` = cache capacity + 1. */
  step(positions: readonly number[], slots: number): Record<string, SessionTensor>;
}

/** An encoded batch with its cross-attention buffers. */
class EncodedRows implements EncodedBatch {
  constructor(
    readonly lastHiddenState: Float32Array,
    readonly cross: CrossBuffers,
    readonly owner: object,
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

/** The parts of a runtime: config, weight precision, the two sessions and the family's position inputs. */
export interface Seq2SeqRuntimeParts<C extends Seq2SeqFacts> {
  readonly config: C;
  readonly quantize: Quantize;
  readonly encoder: GraphSession;
  readonly decoder: GraphSession;
  readonly positions: PositionFeeds;
}

let nextOrigin = 0;

/** Encoder-decoder generation over onnxruntime sessions. */
export class OrtSeq2SeqRuntime<C extends Seq2SeqFacts> extends RowRuntime<C> implements GenerationRuntime {
  readonly architecture = 'encoder-decoder';
  private readonly geometry: CacheGeometry;

  constructor(private readonly parts: Seq2SeqRuntimeParts<C>) {
    const geometry = { layers: parts.config.numDecoderLayers, heads: parts.config.numHeads, dKv: parts.config.dKv };
    super({ config: parts.config, quantize: parts.quantize, rows: new CacheRows(geometry), sessions: [parts.encoder, parts.decoder] });
    this.geometry = this.rows.geometry;
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
    const vocabSize = this.config.encoderVocabSize ?? this.config.vocabSize;
    inputIds.forEach((row, index) => {
      row.forEach((id, position) => {
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
          throw runtimeInputInvalid(`inputIds[${index}][${position}]`, id, `an id in 0..${vocabSize - 1}`);
        ids[index * length + position] = BigInt(id);
        bias[index * length + position] = 0;
      });
    });
    const outputs = await this.parts.encoder.run({
      input_ids: { type: 'int64', dims: [rows, length], data: ids },
      attention_bias: { type: 'float32', dims: [rows, length], data: bias },
      ...this.parts.positions.encoder(length),
    });
    const layers = Array.from({ length: this.geometry.layers }, (_, layer) => layer);
    const cross: CrossBuffers = {
      rows,
      rowCapacity: rows,
      encoderLength: length,
      encoderLengths: lengths,
      origins: lengths.map(() => nextOrigin++),
      keys: layers.map((layer) => floatData(outputs, `cross_key_${layer}`, 'encoder output')),
      values: layers.map((layer) => floatData(outputs, `cross_value_${layer}`, 'encoder output')),
    };
    return new EncodedRows(floatData(outputs, 'last_hidden_state', 'encoder output'), cross, this);
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
    const cache = this.rows.own(state, 'state');
    if (tokenIds.length !== cache.rows) throw runtimeInputInvalid('tokenIds', tokenIds.length, `${cache.rows} token ids, one per row`);
    const needed = Math.max(...cache.positions) + 1;
    if (needed > cache.capacity) cache.grow(Math.max(needed, cache.capacity * 2));
    const outputs = await this.parts.decoder.run(this.stepFeeds(cache, tokenIds));
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
    const selfBias = new Float32Array(rows * slots).fill(MASKED);
    for (let row = 0; row < rows; row++) {
      const id = tokenIds[row] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)
        throw runtimeInputInvalid(`tokenIds[${row}]`, id, `an id in 0..${this.config.vocabSize - 1}`);
      ids[row] = BigInt(id);
      selfBias.fill(0, row * slots, row * slots + (cache.positions[row] as number));
      selfBias[row * slots + capacity] = 0;
    }
    const encoderLength = cache.cross.encoderLength;
    const crossBias = new Float32Array(rows * encoderLength).fill(MASKED);
    cache.cross.encoderLengths.forEach((length, row) => crossBias.fill(0, row * encoderLength, row * encoderLength + length));
    const feeds: Record<string, SessionTensor> = {
      input_ids: { type: 'int64', dims: [rows], data: ids },
      self_bias: { type: 'float32', dims: [rows, slots], data: selfBias },
      cross_bias: { type: 'float32', dims: [rows, encoderLength], data: crossBias },
      ...this.parts.positions.step(cache.positions, slots),
    };
    for (let layer = 0; layer < this.geometry.layers; layer++) {
      const live = cache.layerFeeds(layer);
      feeds[`past_key_${layer}`] = { type: 'float32', dims: [rows, heads, dKv, capacity], data: live.selfKeys };
      feeds[`past_value_${layer}`] = { type: 'float32', dims: [rows, heads, capacity, dKv], data: live.selfValues };
      feeds[`cross_key_${layer}`] = { type: 'float32', dims: [rows, heads, dKv, encoderLength], data: live.crossKeys };
      feeds[`cross_value_${layer}`] = { type: 'float32', dims: [rows, heads, encoderLength, dKv], data: live.crossValues };
    }
    return feeds;
  }
}

function floatData(outputs: Readonly<Record<string, SessionTensor>>, name: string, what = 'decoder output'): Float32Array {
  const tensor = outputs[name];
  if (tensor?.type !== 'float32') throw runtimeInputInvalid(what, name, 'a float32 tensor');
  return tensor.data;
}
