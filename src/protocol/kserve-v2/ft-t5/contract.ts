/**
 * FasterTransformer's T5 tensor contract on Triton (model `fastertransformer`): input and output
 * names, FT's defaults for absent optional inputs, and the model metadata we advertise.
 */
import type { KServeV2ModelMetadata } from '../metadata.js';

/** The model name FT's Triton backend is deployed under. */
export const FT_T5_MODEL_NAME = 'fastertransformer';

/** Decoder start id (T5 pad, 0) and end id (`</s>`, 1), as in FT's config.ini defaults. */
export const FT_T5_SPECIAL_IDS = { startId: 0, endId: 1, padId: 0 } as const;

/** What FT assumes when an optional input is absent. */
export const FT_T5_DEFAULTS = {
  beamWidth: 1,
  topK: 1,
  topP: 0,
  temperature: 1,
  lengthPenalty: 0,
  repetitionPenalty: 1,
  beamSearchDiversityRate: 0,
  returnLogProbs: false,
} as const;

/** Per-row inputs (`[batch, 1]` on the wire) that we read, with their wire datatype. */
export const FT_T5_SCALAR_INPUTS = {
  sequence_length: 'UINT32',
  max_output_len: 'UINT32',
  runtime_top_k: 'UINT32',
  runtime_top_p: 'FP32',
  beam_search_diversity_rate: 'FP32',
  temperature: 'FP32',
  len_penalty: 'FP32',
  repetition_penalty: 'FP32',
  random_seed: 'UINT64',
  is_return_log_probs: 'BOOL',
  beam_width: 'UINT32',
  start_id: 'UINT32',
  end_id: 'UINT32',
} as const;

/** Name of a per-row input we read. */
export type FtT5ScalarInput = keyof typeof FT_T5_SCALAR_INPUTS;

/** FT inputs that exist but that we do not implement (refused with 400 rather than ignored). */
export const FT_T5_UNSUPPORTED_INPUTS = [
  'bad_words_list',
  'stop_words_list',
  'prompt_learning_task_name_ids',
  'request_prompt_lengths',
  'request_prompt_embedding',
  'ia3_tasks',
  'top_p_decay',
  'top_p_min',
  'top_p_reset_ids',
] as const;

/** Output names, in the order FT returns them. */
export const FT_T5_OUTPUTS = ['output_ids', 'sequence_length', 'cum_log_probs', 'output_log_probs'] as const;

/**
 * `GET /v2/models/fastertransformer` body: variable dims are -1, per-row scalars `[-1, 1]`.
 * @example ftT5ModelMetadata({ platform: 'llm-deploy' })
 */
export function ftT5ModelMetadata(options: { readonly platform: string; readonly versions?: readonly string[] }): KServeV2ModelMetadata {
  return {
    name: FT_T5_MODEL_NAME,
    ...(options.versions === undefined ? {} : { versions: [...options.versions] }),
    platform: options.platform,
    inputs: [
      { name: 'input_ids', datatype: 'UINT32', shape: [-1, -1] },
      ...Object.entries(FT_T5_SCALAR_INPUTS).map(([name, datatype]) => ({ name, datatype, shape: [-1, 1] })),
    ],
    outputs: [
      { name: 'output_ids', datatype: 'UINT32', shape: [-1, -1, -1] },
      { name: 'sequence_length', datatype: 'UINT32', shape: [-1, -1] },
      { name: 'cum_log_probs', datatype: 'FP32', shape: [-1, -1] },
      { name: 'output_log_probs', datatype: 'FP32', shape: [-1, -1, -1] },
    ],
  };
}
