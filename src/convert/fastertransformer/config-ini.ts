import { parsePythonJson, py, pythonStr, type PyValue } from './python-literal.js';

/** Weight file dtype of the FT layout (NVIDIA's converter knows no bf16 files). */
export type FtWeightDtype = 'fp32' | 'fp16';

// T5Config.__init__ attributes (transformers 4.x), in the order they enter the config's __dict__.
const T5_FIELDS: ReadonlyArray<readonly [string, PyValue]> = [
  ['vocab_size', py.int(32128)],
  ['d_model', py.int(512)],
  ['d_kv', py.int(64)],
  ['d_ff', py.int(2048)],
  ['num_layers', py.int(6)],
  ['num_decoder_layers', py.none],
  ['num_heads', py.int(8)],
  ['relative_attention_num_buckets', py.int(32)],
  ['relative_attention_max_distance', py.int(128)],
  ['dropout_rate', py.float(0.1)],
  ['classifier_dropout', py.float(0)],
  ['layer_norm_epsilon', py.float(1e-6)],
  ['initializer_factor', py.float(1)],
  ['feed_forward_proj', py.str('relu')],
  ['use_cache', py.bool(true)],
  ['dense_act_fn', py.str('relu')],
  ['is_gated_act', py.bool(false)],
];

const LABELS: PyValue = {
  kind: 'dict',
  entries: [
    [py.int(0), py.str('LABEL_0')],
    [py.int(1), py.str('LABEL_1')],
  ],
};
const LABEL_IDS: PyValue = {
  kind: 'dict',
  entries: [
    [py.str('LABEL_0'), py.int(0)],
    [py.str('LABEL_1'), py.int(1)],
  ],
};

// PretrainedConfig.__init__ attributes (transformers 4.36), in __dict__ order, with their defaults;
// the generation ones (max_length ... begin_suppress_tokens) are its _get_generation_defaults().
const BASE_FIELDS: ReadonlyArray<readonly [string, PyValue]> = [
  ['return_dict', py.bool(true)],
  ['output_hidden_states', py.bool(false)],
  ['output_attentions', py.bool(false)],
  ['torchscript', py.bool(false)],
  ['torch_dtype', py.none],
  ['use_bfloat16', py.bool(false)],
  ['tf_legacy_loss', py.bool(false)],
  ['pruned_heads', { kind: 'dict', entries: [] }],
  ['tie_word_embeddings', py.bool(true)],
  ['chunk_size_feed_forward', py.int(0)],
  ['is_encoder_decoder', py.bool(true)],
  ['is_decoder', py.bool(false)],
  ['cross_attention_hidden_size', py.none],
  ['add_cross_attention', py.bool(false)],
  ['tie_encoder_decoder', py.bool(false)],
  ['max_length', py.int(20)],
  ['min_length', py.int(0)],
  ['do_sample', py.bool(false)],
  ['early_stopping', py.bool(false)],
  ['num_beams', py.int(1)],
  ['num_beam_groups', py.int(1)],
  ['diversity_penalty', py.float(0)],
  ['temperature', py.float(1)],
  ['top_k', py.int(50)],
  ['top_p', py.float(1)],
  ['typical_p', py.float(1)],
  ['repetition_penalty', py.float(1)],
  ['length_penalty', py.float(1)],
  ['no_repeat_ngram_size', py.int(0)],
  ['encoder_no_repeat_ngram_size', py.int(0)],
  ['bad_words_ids', py.none],
  ['num_return_sequences', py.int(1)],
  ['output_scores', py.bool(false)],
  ['return_dict_in_generate', py.bool(false)],
  ['forced_bos_token_id', py.none],
  ['forced_eos_token_id', py.none],
  ['remove_invalid_values', py.bool(false)],
  ['exponential_decay_length_penalty', py.none],
  ['suppress_tokens', py.none],
  ['begin_suppress_tokens', py.none],
  ['architectures', py.none],
  ['finetuning_task', py.none],
  ['id2label', LABELS],
  ['label2id', LABEL_IDS],
  ['tokenizer_class', py.none],
  ['prefix', py.none],
  ['bos_token_id', py.none],
  ['pad_token_id', py.int(0)],
  ['eos_token_id', py.int(1)],
  ['sep_token_id', py.none],
  ['decoder_start_token_id', py.none],
  ['task_specific_params', py.none],
  ['problem_type', py.none],
  ['_name_or_path', py.str('')],
  ['transformers_version', py.none],
];

/** What {@link renderConfigIni} needs besides config.json's text. */
export interface ConfigIniOptions {
  /** config.json exactly as stored (number literals decide int vs float). */
  readonly configJsonText: string;
  /** `_name_or_path`: what the checkpoint was loaded from. */
  readonly nameOrPath: string;
  readonly weightDtype: FtWeightDtype;
}

/**
 * config.ini as `huggingface_t5_ckpt_convert.py` writes it: `[encoder]`/`[decoder]` hold
 * `str()` of every `model.{encoder,decoder}.config.to_dict()` entry, `relative_attention_num_buckets`
 * renamed and moved last, then `[structure]`.
 */
export function renderConfigIni(options: ConfigIniOptions): string {
  const json = parsePythonJson(options.configJsonText);
  const given = new Map(json.kind === 'dict' ? json.entries.map(([key, value]) => [pythonStr(key), value] as const) : []);
  const base = stackConfig(given, options.nameOrPath);
  const gated = pythonStr(base.get('feed_forward_proj') ?? py.str('relu')).includes('gated');
  const encoder = new Map(base);
  encoder.set('is_decoder', py.bool(false)).set('use_cache', py.bool(false)).set('is_encoder_decoder', py.bool(false));
  const decoder = new Map(base);
  decoder.set('is_decoder', py.bool(true)).set('is_encoder_decoder', py.bool(false));
  decoder.set('num_layers', base.get('num_decoder_layers') ?? py.none);
  const section = (name: string, values: ReadonlyMap<string, PyValue>): string => {
    const lines = [...values]
      .filter(([key]) => key !== 'relative_attention_num_buckets')
      .map(([key, value]) => `${key} = ${pythonStr(value)}`);
    lines.push(`weight_data_type = ${options.weightDtype}`);
    lines.push(
      `relative_attention_num_buckets_or_max_pos_seq_len = ${pythonStr(values.get('relative_attention_num_buckets') ?? py.int(32))}`,
    );
    return `[${name}]\n${lines.join('\n')}\n\n`;
  };
  const structure = `[structure]\nt5_with_bias = false\nuse_gated_activation = ${gated ? '1' : 'false'}\nposition_embedding_type = relative\n\n`;
  return section('encoder', encoder) + section('decoder', decoder) + structure;
}

// The T5Config as transformers builds it from config.json, in to_dict() order.
function stackConfig(given: ReadonlyMap<string, PyValue>, nameOrPath: string): Map<string, PyValue> {
  const values = new Map<string, PyValue>();
  for (const [key, fallback] of T5_FIELDS) values.set(key, given.get(key) ?? fallback);
  if (values.get('num_decoder_layers')?.kind === 'none') values.set('num_decoder_layers', values.get('num_layers') ?? py.none);
  const projection = pythonStr(values.get('feed_forward_proj') ?? py.str('relu'));
  const activation = projection.split('-').at(-1) ?? 'relu';
  values.set('dense_act_fn', given.get('dense_act_fn') ?? py.str(projection === 'gated-gelu' ? 'gelu_new' : activation));
  values.set('is_gated_act', given.get('is_gated_act') ?? py.bool(projection.startsWith('gated')));
  for (const [key, fallback] of BASE_FIELDS) values.set(key, given.get(key) ?? fallback);
  const id2label = given.get('id2label');
  if (id2label?.kind === 'dict') {
    values.set('id2label', {
      kind: 'dict',
      entries: id2label.entries.map(([key, value]) => [py.int(Number(pythonStr(key))), value] as const),
    });
  }
  values.set('_name_or_path', py.str(nameOrPath));
  for (const [key, value] of given) if (!values.has(key)) values.set(key, value);
  // to_dict() writes the class's model_type; transformers_version is the converting library's (we keep the checkpoint's).
  values.set('model_type', py.str('t5'));
  for (const internal of ['_commit_hash', '_attn_implementation_internal']) values.delete(internal);
  return values;
}
