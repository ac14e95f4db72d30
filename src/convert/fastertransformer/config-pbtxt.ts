/** Runtime dtype Triton's FT backend computes in (`data_type` parameter). */
export type FtRuntimeDtype = 'fp32' | 'fp16' | 'bf16';

interface TensorSpec {
  readonly name: string;
  readonly type: string;
  readonly dims: string;
  /** Per-request scalar declared `[1]` and reshaped to `[]`. */
  readonly scalar?: boolean;
  readonly optional?: boolean;
}

// The FT T5 model's inputs and outputs (fastertransformer_backend all_models/t5/fastertransformer/config.pbtxt).
const INPUTS: readonly TensorSpec[] = [
  { name: 'input_ids', type: 'TYPE_UINT32', dims: '-1' },
  { name: 'sequence_length', type: 'TYPE_UINT32', dims: '1' },
  { name: 'max_output_len', type: 'TYPE_UINT32', dims: '1', scalar: true },
  { name: 'runtime_top_k', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'runtime_top_p', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'beam_search_diversity_rate', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'temperature', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'len_penalty', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'repetition_penalty', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'random_seed', type: 'TYPE_UINT64', dims: '1', scalar: true, optional: true },
  { name: 'is_return_log_probs', type: 'TYPE_BOOL', dims: '1', scalar: true, optional: true },
  { name: 'beam_width', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'start_id', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'end_id', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'bad_words_list', type: 'TYPE_INT32', dims: '2, -1', optional: true },
  { name: 'stop_words_list', type: 'TYPE_INT32', dims: '2, -1', optional: true },
  { name: 'prompt_learning_task_name_ids', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'request_prompt_embedding', type: 'TYPE_FP16', dims: '-1, -1', optional: true },
  { name: 'request_prompt_lengths', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
  { name: 'ia3_tasks', type: 'TYPE_INT32', dims: '1', scalar: true, optional: true },
  { name: 'top_p_decay', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'top_p_min', type: 'TYPE_FP32', dims: '1', scalar: true, optional: true },
  { name: 'top_p_reset_ids', type: 'TYPE_UINT32', dims: '1', scalar: true, optional: true },
];

const OUTPUTS: readonly TensorSpec[] = [
  { name: 'output_ids', type: 'TYPE_INT32', dims: '-1, -1' },
  { name: 'sequence_length', type: 'TYPE_INT32', dims: '-1' },
  { name: 'cum_log_probs', type: 'TYPE_FP32', dims: '-1' },
  { name: 'output_log_probs', type: 'TYPE_FP32', dims: '-1, -1' },
];

function renderTensor(spec: TensorSpec): string {
  const lines = [`    name: "${spec.name}"`, `    data_type: ${spec.type}`, `    dims: [ ${spec.dims} ]`];
  if (spec.scalar === true) lines.push('    reshape: { shape: [ ] }');
  if (spec.optional === true) lines.push('    optional: true');
  return `  {\n${lines.join('\n')}\n  }`;
}

/** Options of {@link renderConfigPbtxt}. */
export interface ConfigPbtxtOptions {
  readonly tensorParallel: number;
  readonly dataType: FtRuntimeDtype;
}

/** The Triton model configuration of the `fastertransformer` T5 model. */
export function renderConfigPbtxt(options: ConfigPbtxtOptions): string {
  const parameter = (key: string, value: string): string =>
    `parameters {\n  key: "${key}"\n  value: {\n    string_value: "${value}"\n  }\n}`;
  return [
    'name: "fastertransformer"',
    'backend: "fastertransformer"',
    `default_model_filename: "${options.tensorParallel}-gpu"`,
    'max_batch_size: 1024',
    `input [\n${INPUTS.map(renderTensor).join(',\n')}\n]`,
    `output [\n${OUTPUTS.map(renderTensor).join(',\n')}\n]`,
    'instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]',
    parameter('tensor_para_size', String(options.tensorParallel)),
    parameter('pipeline_para_size', '1'),
    parameter('data_type', options.dataType),
    parameter('enable_custom_all_reduce', '0'),
    parameter('model_type', 'T5'),
    '',
  ].join('\n');
}
