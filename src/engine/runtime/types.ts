/**
 * The T5 runtime interface: encoder and decoder ONNX graphs run by onnxruntime, with the
 * decoder's caches kept per row so that generation code can batch rows that are at different
 * steps (continuous batching), reorder them (beam search) and merge new requests in.
 * Generation algorithms and the scheduler are written against these types only.
 */
import type { CausalConfig, GenerationModelFacts, T5Config, WeightStore } from '../../model/index.js';
import type { GraphSetSource } from '../graph/graph-set.js';
import type { Quantize } from '../settings.js';

/** Prompts made ready to decode: T5's encoder output, or a decoder-only model's prefilled caches. */
export interface PromptBatch {
  readonly rows: number;
  /** Real prompt length per row (tokens). */
  readonly inputLengths: readonly number[];
  /** Per row, the token its first decode step feeds; absent: the decoder start token (T5). Decoder-only: the last prompt token. */
  readonly startTokenIds?: readonly number[];
}

/**
 * The encoder output of one batch of prompts. Rows were right-padded to `encoderLength`
 * inside the runtime; the cross-attention keys/values of every decoder layer were computed
 * once here, so starting decoders from it costs no further graph run.
 */
export interface EncodedBatch extends PromptBatch {
  /** Padded prompt length S (the longest row). */
  readonly encoderLength: number;
  /** Encoder `last_hidden_state` `[rows, S, dModel]` float32, row-major; padded positions hold no meaning. */
  readonly lastHiddenState: Float32Array;
}

/**
 * Decoder rows with their self-attention caches and cross-attention keys/values. A state is
 * mutable through {@link T5Runtime.step} only (it appends one token per row); `select` and
 * `merge` return new states and leave their inputs usable (unless asked to release them, {@link RowOperationOptions}).
 */
export interface DecoderState {
  readonly rows: number;
  /** Per row: tokens already fed = the decoder position of the next token fed. */
  readonly positions: readonly number[];
  /** Per row: real encoder length (cross-attention keys past it are masked). */
  readonly encoderLengths: readonly number[];
  /** Cache slots allocated per row; grows (by doubling) as rows advance. */
  readonly capacity: number;
}

/** Options of {@link GenerationRuntime.select} and {@link GenerationRuntime.merge}. */
export interface RowOperationOptions {
  /**
   * The inputs end with the call, as if released: the result may keep the first input's buffers and rearrange
   * rows in them (a join copies only the newcomers' rows, a departure moves rows down), and buffers it must
   * reallocate get room for more rows. The continuous batcher's joins and departures ask for it.
   */
  readonly releaseInputs?: boolean;
  /** With `releaseInputs`: rows the result is expected to grow to, so buffers it reallocates are made that big at once. */
  readonly expectedRows?: number;
}

/** Options of {@link T5Runtime.startDecoding}. */
export interface StartDecodingOptions {
  /** Which encoded rows to decode, in order; repeat a row for beams/samples. Default: every row once. */
  readonly rows?: readonly number[];
  /** Expected tokens per row (e.g. max new tokens + 1), so the cache is allocated once. */
  readonly expectedTokens?: number;
}

/**
 * What the scheduler and the native backend drive, for every family: prompts in, rows that step one
 * token at a time, reorder (beams) and merge (requests joining).
 */
export interface GenerationRuntime {
  readonly architecture: 'encoder-decoder' | 'decoder-only';
  /** The model's config (token ids and vocabulary at least). */
  readonly config: GenerationModelFacts;
  readonly vocabSize: number;
  /** Execution provider the graphs run on: 'cpu' (or 'cuda' when that provider is used). */
  readonly provider: string;
  /** Weight precision the graphs were built with. */
  readonly quantize: Quantize;
  /** Longest prompt + generation a row may reach (GPT-2's learned positions); absent: no such limit. */
  readonly maxSequenceTokens?: number;
  /** Makes prompts ready to decode (T5: runs the encoder; decoder-only: prefills all but the last token). */
  encode(inputIds: readonly (readonly number[])[]): Promise<PromptBatch>;
  /** Starts decoder rows on rows of a prompt batch. */
  startDecoding(prompts: PromptBatch, options?: StartDecodingOptions): DecoderState;
  /**
   * Feeds one token per row (the first step feeds each row's start token), appends it to each
   * row's cache and returns raw logits `[rows, vocabSize]` float32, row-major, exactly as
   * Hugging Face's `lm_logits` (T5 v1.0 tied heads include the `dModel ** -0.5` rescale).
   */
  step(state: DecoderState, tokenIds: readonly number[]): Promise<Float32Array>;
  /** A new state holding the given rows of `state` in order; rows may repeat (beam reorder) or be dropped. */
  select(state: DecoderState, rows: readonly number[], options?: RowOperationOptions): DecoderState;
  /** A new state with the rows of every state, in order; caches and encoder lengths may differ. */
  merge(states: readonly DecoderState[], options?: RowOperationOptions): DecoderState;
  /** Frees a state's buffers early (optional; unreferenced states are garbage collected). */
  release(state: DecoderState): void;
  /** Releases the onnxruntime sessions; the runtime is unusable afterwards. */
  close(): Promise<void>;
}

/** A loaded decoder-only model: prompt prefill into per-row caches, then one-token steps (each row at its own position). */
export interface CausalRuntime extends GenerationRuntime {
  readonly architecture: 'decoder-only';
  readonly config: CausalConfig;
}

/** A loaded T5 model: batched encoder and one-token decoder step over onnxruntime. */
export interface T5Runtime extends GenerationRuntime {
  readonly architecture: 'encoder-decoder';
  readonly config: T5Config;
  /**
   * Encodes prompts (token ids, `</s>` included; rows may differ in length, each at least 1 token).
   * Runs the encoder on `[rows, S]` with an attention mask, as Hugging Face does for a padded batch.
   */
  encode(inputIds: readonly (readonly number[])[]): Promise<EncodedBatch>;
  /** Starts decoder rows (position 0, empty cache) on rows of an encoded batch. */
  startDecoding(encoded: EncodedBatch, options?: StartDecodingOptions): DecoderState;
}

/** Graph-building choices; every one has a measured default (see the README's engine section). */
export interface T5GraphOptions {
  /** Weight precision: `int8` stores linear weights as int8 (4x fewer bytes read per step). */
  readonly quantize?: Quantize;
  /** Int8 operator: `MatMulNBits` (8-bit blocks of 128, int8 compute; the default, closer to fp32) or `DynamicQuantizeMatMul` (per-column scales, per-tensor activations; faster, less exact). */
  readonly int8Operator?: 'DynamicQuantizeMatMul' | 'MatMulNBits';
  /** One `[dModel, 3 * inner]` matrix for self-attention Q, K and V instead of three. */
  readonly fuseQkv?: boolean;
  /** Initializers larger in total than this go to an external data file (ONNX protobufs stop at 2 GB). */
  readonly externalDataThresholdBytes?: number;
}

/** Options of createT5Runtime: weights from a checkpoint, graphs built in memory. */
export interface CreateT5RuntimeOptions extends T5GraphOptions {
  readonly weights: WeightStore;
  readonly config: T5Config;
  /** onnxruntime intra-op threads; 0 or absent = the measured default. */
  readonly threads?: number;
  /** Execution provider: 'auto' (default) uses CUDA when its onnxruntime provider is installed, else the CPU. */
  readonly provider?: 'cpu' | 'auto';
}

/** Options of createT5RuntimeFromGraphs: graphs built earlier (in memory, or a graph directory written by writeGraphSet). */
export interface CreateT5RuntimeFromGraphsOptions {
  readonly config: T5Config;
  readonly graphs: GraphSetSource;
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
}
