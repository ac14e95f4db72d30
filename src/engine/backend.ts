/**
 * The seam between the HTTP server and whatever generates tokens. The native onnxruntime engine
 * and the Triton (KServe v2) client both implement {@link Backend}; the server sees only this file.
 */

// The options a caller gives and the resolved params are wire-level concepts with one home in protocol.
export type { GenerationOptions, GenerationParams } from '../protocol/index.js';
import type { GenerationOptions, GenerationParams } from '../protocol/index.js';

/** One generated token, reported as soon as it is chosen (greedy/sampling with one sequence only). */
export interface TokenEvent {
  readonly tokenId: number;
  /** 0-based index of the token among the generated ones. */
  readonly index: number;
  /** Natural-log probability of the token after logits processing. */
  readonly logProb: number;
}

/** One request: a tokenized prompt (including the trailing `</s>`) and its settings. */
export interface GenerateRequest {
  readonly inputIds: readonly number[];
  readonly params?: GenerationOptions;
  /** Aborting cancels the generation at the next decode step; the promise rejects with ENGINE_CANCELLED. */
  readonly signal?: AbortSignal;
  readonly onToken?: (event: TokenEvent) => void;
  /** Also return per-token log-probabilities. */
  readonly returnLogProbs?: boolean;
}

/** Why a sequence stopped. */
export type FinishReason = 'eos' | 'length' | 'stop';

/** One returned sequence. */
export interface GeneratedSequence {
  /** Generated ids without the decoder start token (decoder-only: without the prompt), including the final EOS when one was generated. */
  readonly tokenIds: readonly number[];
  readonly finishReason: FinishReason;
  /** Beam search: Hugging Face's length-normalised sequence score. */
  readonly score?: number;
  /** Sum of the chosen tokens' log-probabilities. */
  readonly cumLogProb?: number;
  /** Per generated token, when `returnLogProbs` was set. */
  readonly tokenLogProbs?: readonly number[];
}

/** The answer to one {@link GenerateRequest}: `numReturnSequences` sequences, best first. */
export interface GenerateResult {
  readonly sequences: readonly GeneratedSequence[];
  readonly inputTokenCount: number;
  /** Milliseconds spent waiting, encoding, until the first token, and in total. */
  readonly timings: {
    readonly queueMs: number;
    readonly firstTokenMs: number;
    readonly totalMs: number;
  };
}

/** Static facts about a loaded backend. */
export interface BackendInfo {
  readonly kind: 'native' | 'triton' | 'vllm' | 'tensorrt-llm';
  /** Encoder-decoder (T5: the prompt is encoded) or decoder-only (the prompt opens the sequence; `tokenIds` are the continuation). */
  readonly architecture: 'encoder-decoder' | 'decoder-only';
  /** Execution provider or remote URL, said at start-up (e.g. `cpu`, `cuda`, `http://127.0.0.1:8000`). */
  readonly provider: string;
  readonly modelName: string;
  /** Longest accepted prompt in tokens. */
  readonly maxInputTokens: number;
  /** The engine family serving the model, where the backend knows it (the native engine's family table). */
  readonly family?: BackendFamily;
  /** The model's generation defaults (from generation_config.json). */
  readonly defaults: GenerationParams;
}

/** What routes need to know of the model family behind a backend. */
export interface BackendFamily {
  readonly name: string;
  /** Whether `/v2/models/fastertransformer/infer`'s T5 tensor contract covers the family. */
  readonly fasterTransformerContract: boolean;
}

/** Live load figures for metrics and readiness. */
export interface BackendStats {
  readonly queueDepth: number;
  readonly activeSequences: number;
  readonly lastBatchSize: number;
}

/** A loaded model that generates. */
export interface Backend {
  readonly info: BackendInfo;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** Ready to take traffic; `reason` says why not. */
  health(): Promise<{ readonly ready: boolean; readonly reason?: string }>;
  stats(): BackendStats;
  /** Stops taking work, lets nothing leak; pending requests reject with ENGINE_CLOSED. */
  close(): Promise<void>;
  /** A remote engine's own Prometheus text, for `/metrics` to re-export; undefined when it has none or does not answer. */
  engineMetrics?(): Promise<string | undefined>;
}
