/**
 * What each OpenAI-compatible GPU engine accepts on `/v1/completions`, as its project documents it, and how our
 * resolved generation settings map onto those fields. A setting an engine cannot honour is refused (400, naming
 * the field) instead of being dropped.
 *
 * vLLM: https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html ("Extra parameters" of the
 * Completions API: use_beam_search, top_k, min_p, repetition_penalty, length_penalty, stop_token_ids,
 * include_stop_str_in_output, ignore_eos, min_tokens, return_token_ids, return_tokens_as_token_ids); token ids out
 * through `return_token_ids` (choices[].token_ids, per chunk the delta when streaming); greedy is temperature 0.
 * TensorRT-LLM: https://nvidia.github.io/TensorRT-LLM/latest/commands/trtllm-serve.html and its request model
 * https://github.com/NVIDIA/TensorRT-LLM/blob/main/tensorrt_llm/serve/openai_protocol.py (`CompletionRequest`:
 * use_beam_search, best_of, top_k, repetition_penalty, length_penalty, early_stopping, min_tokens, detokenize;
 * extra fields are forbidden); token ids out through choices[].token_ids when `detokenize` is false.
 */
import type { GenerationParams } from '../backend.js';
import { unsupportedByEngine } from './errors.js';

/** The OpenAI-compatible engines the front speaks to. */
export const OPENAI_ENGINES = ['vllm', 'tensorrt-llm'] as const;
/** One of {@link OPENAI_ENGINES}. */
export type OpenAiEngineKind = (typeof OPENAI_ENGINES)[number];

/**
 * The model architectures each engine serves: vLLM runs decoder-only families only (its supported-models list has
 * no T5: https://docs.vllm.ai/en/latest/models/supported_models.html); trtllm-serve's PyTorch backend also loads
 * T5 / BART checkpoints ("Use encoder-decoder models with the PyTorch backend" in its documentation).
 */
export const OPENAI_ENGINE_ARCHITECTURES: Readonly<Record<OpenAiEngineKind, readonly ('encoder-decoder' | 'decoder-only')[]>> = {
  vllm: ['decoder-only'],
  'tensorrt-llm': ['encoder-decoder', 'decoder-only'],
};

/** The per-engine part of a completions request body. */
export interface EngineDialect {
  /** How the engine's own documentation names it (messages). */
  readonly label: string;
  /** Fields that make the engine answer token ids. */
  readonly tokenIdFields: Readonly<Record<string, unknown>>;
  /** Sampling or greedy fields for one request. */
  decoding(params: GenerationParams): Record<string, unknown>;
  /** Beam-search fields; `n` choices come back, best first. */
  beams(params: GenerationParams): Record<string, unknown>;
  /** Refuses what the engine cannot do; `defaults` are the model's, so only a caller's request is refused. */
  check(params: GenerationParams, defaults: GenerationParams): void;
}

function sampling(params: GenerationParams): Record<string, unknown> {
  return {
    temperature: params.temperature,
    top_p: params.topP,
    // Hugging Face's top_k 0 means "off": left out, since older vLLM releases refuse 0 ("top_k must be -1 (disable), or at least 1")
    ...(params.topK > 0 ? { top_k: params.topK } : {}),
    n: params.numReturnSequences,
    ...(params.seed === undefined ? {} : { seed: params.seed }),
  };
}

function commonChecks(label: string, params: GenerationParams, defaults: GenerationParams): void {
  if (params.noRepeatNgramSize > 0 && params.noRepeatNgramSize !== defaults.noRepeatNgramSize)
    throw unsupportedByEngine(label, {
      field: 'no_repeat_ngram_size',
      given: params.noRepeatNgramSize,
      expected: '0 (no n-gram blocking)',
    });
  if (params.doSample && params.numBeams > 1)
    throw unsupportedByEngine(label, { field: 'num_beams', given: params.numBeams, expected: '1 when sampling (no beam sampling)' });
}

const VLLM: EngineDialect = {
  label: 'vLLM',
  tokenIdFields: { return_token_ids: true },
  decoding: (params) => (params.doSample ? sampling(params) : { temperature: 0, n: 1 }),
  // vLLM's beam search returns `n` beams; Hugging Face keeps num_return_sequences of num_beams
  beams: (params) => ({ use_beam_search: true, n: params.numBeams, length_penalty: params.lengthPenalty, temperature: 0 }),
  check(params, defaults) {
    commonChecks('vLLM', params, defaults);
    if (params.numBeams > 1 && params.earlyStopping !== defaults.earlyStopping)
      throw unsupportedByEngine('vLLM', {
        field: 'early_stopping',
        given: params.earlyStopping,
        expected: "the model's default (vLLM's completions API has no early_stopping)",
      });
  },
};

const TENSORRT_LLM: EngineDialect = {
  label: 'TensorRT-LLM',
  tokenIdFields: { detokenize: false },
  // top_k 1 is greedy in TensorRT-LLM's SamplingParams; temperature 0 is not documented there
  decoding: (params) => (params.doSample ? sampling(params) : { top_k: 1, n: 1 }),
  beams: (params) => ({
    use_beam_search: true,
    best_of: params.numBeams,
    n: params.numReturnSequences,
    length_penalty: params.lengthPenalty,
    early_stopping: params.earlyStopping !== false,
  }),
  check(params, defaults) {
    commonChecks('TensorRT-LLM', params, defaults);
  },
};

/** The dialect of one engine. */
export function dialectOf(kind: OpenAiEngineKind): EngineDialect {
  switch (kind) {
    case 'vllm':
      return VLLM;
    case 'tensorrt-llm':
      return TENSORRT_LLM;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * The `/v1/completions` body for one prompt (token ids, as both engines accept: `prompt: list[int]`).
 * @example completionBody('vllm', { model: 'm', inputIds: [1, 2], params, defaults, stream: false, logProbs: false })
 */
export function completionBody(
  kind: OpenAiEngineKind,
  request: {
    readonly model: string;
    readonly inputIds: readonly number[];
    readonly params: GenerationParams;
    readonly defaults: GenerationParams;
    readonly stream: boolean;
    readonly logProbs: boolean;
  },
): Record<string, unknown> {
  const dialect = dialectOf(kind);
  const { params } = request;
  dialect.check(params, request.defaults);
  return {
    model: request.model,
    prompt: [...request.inputIds],
    max_tokens: params.maxNewTokens,
    ...(params.minNewTokens > 0 ? { min_tokens: params.minNewTokens } : {}),
    ...(params.repetitionPenalty === 1 ? {} : { repetition_penalty: params.repetitionPenalty }),
    ...(params.numBeams > 1 ? dialect.beams(params) : dialect.decoding(params)),
    // logprobs 0: the chosen token's log-probability only (OpenAI's legacy completions field)
    ...(request.logProbs ? { logprobs: 0 } : {}),
    ...dialect.tokenIdFields,
    stream: request.stream,
  };
}
