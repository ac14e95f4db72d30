/**
 * `GET /v2/models/fastertransformer/config`: the FT T5 model's configuration as Triton's model
 * configuration extension answers it, the JSON form of `ModelConfig` in model_config.proto
 * (https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/protocol/extension_model_configuration.html),
 * shaped as fastertransformer_backend's `all_models/t5/fastertransformer/config.pbtxt` declares it.
 */
import type { KServeV2Datatype } from '../datatypes.js';
import { FT_T5_MODEL_NAME, FT_T5_SCALAR_INPUTS } from './contract.js';

/** One input or output of a Triton model configuration. */
export interface TritonModelConfigTensor {
  readonly name: string;
  /** `TYPE_` + the KServe datatype (`TYPE_UINT32`, `TYPE_FP32`, `TYPE_BOOL`, ...). */
  readonly data_type: string;
  /** Without the batch dimension (max_batch_size > 0); -1 is variable. */
  readonly dims: readonly number[];
  readonly reshape?: { readonly shape: readonly number[] };
  readonly optional?: boolean;
}

/** The subset of Triton's `ModelConfig` JSON that describes the FT T5 model. */
export interface TritonModelConfigV2 {
  readonly name: string;
  readonly platform: string;
  readonly backend: string;
  readonly max_batch_size: number;
  readonly input: readonly TritonModelConfigTensor[];
  readonly output: readonly TritonModelConfigTensor[];
  readonly instance_group: readonly { readonly count: number; readonly kind: string }[];
  readonly parameters: Readonly<Record<string, { readonly string_value: string }>>;
}

const REQUIRED_INPUTS: ReadonlySet<string> = new Set(['input_ids', 'sequence_length', 'max_output_len']);

function typeName(datatype: KServeV2Datatype): string {
  return `TYPE_${datatype}`;
}

/**
 * The configuration we answer for the FT T5 contract; `maxBatchSize` is the server's batch limit.
 * @example ftT5ModelConfig({ maxBatchSize: 64 }).input[0] // { name: 'input_ids', data_type: 'TYPE_UINT32', dims: [-1], ... }
 */
export function ftT5ModelConfig(options: { readonly maxBatchSize: number }): TritonModelConfigV2 {
  // per-row scalars are `dims: [1]` reshaped to `[]`, as in FT's config.pbtxt
  const scalars = Object.entries(FT_T5_SCALAR_INPUTS).map(([name, datatype]) => ({
    name,
    data_type: typeName(datatype),
    dims: [1],
    reshape: { shape: [] },
    optional: !REQUIRED_INPUTS.has(name),
  }));
  return {
    name: FT_T5_MODEL_NAME,
    platform: '',
    backend: 'fastertransformer',
    max_batch_size: options.maxBatchSize,
    input: [{ name: 'input_ids', data_type: typeName('UINT32'), dims: [-1], optional: false }, ...scalars],
    output: [
      { name: 'output_ids', data_type: typeName('UINT32'), dims: [-1, -1] },
      { name: 'sequence_length', data_type: typeName('UINT32'), dims: [-1] },
      { name: 'cum_log_probs', data_type: typeName('FP32'), dims: [-1] },
      { name: 'output_log_probs', data_type: typeName('FP32'), dims: [-1, -1] },
    ],
    instance_group: [{ count: 1, kind: 'KIND_CPU' }],
    parameters: { model_type: { string_value: 'T5' } },
  };
}
