import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderConfigIni } from './config-ini.js';

function section(text: string, name: string): string[] {
  const body = text.split(`[${name}]\n`)[1]?.split('\n\n')[0] ?? '';
  return body.split('\n');
}

describe('renderConfigIni', () => {
  const configJsonText = JSON.stringify({
    model_type: 't5',
    d_model: 64,
    num_layers: 3,
    num_decoder_layers: 2,
    feed_forward_proj: 'gated-gelu',
    tie_word_embeddings: false,
    initializer_factor: 1.0,
    custom_flag: true,
  }).replace('"initializer_factor":1', '"initializer_factor":1.0');

  it('writes the stacks as transformers builds them for T5ForConditionalGeneration', () => {
    const text = renderConfigIni({ configJsonText, nameOrPath: 'gs://b/m', weightDtype: 'fp32' });
    const encoder = section(text, 'encoder');
    const decoder = section(text, 'decoder');
    assert.equal(encoder[0], 'vocab_size = 32128');
    assert.ok(encoder.includes('num_layers = 3') && decoder.includes('num_layers = 2'));
    assert.ok(encoder.includes('is_decoder = False') && decoder.includes('is_decoder = True'));
    assert.ok(encoder.includes('use_cache = False') && decoder.includes('use_cache = True'));
    assert.ok(encoder.includes('is_encoder_decoder = False') && decoder.includes('is_encoder_decoder = False'));
    assert.ok(encoder.includes('dense_act_fn = gelu_new') && encoder.includes('is_gated_act = True'));
    assert.ok(encoder.includes('_name_or_path = gs://b/m'));
    assert.ok(encoder.includes('initializer_factor = 1.0'));
    // Keys config.json adds go after transformers_version, model_type included; the renamed key comes last.
    const tail = encoder.slice(encoder.indexOf('transformers_version = None'));
    assert.deepEqual(tail, [
      'transformers_version = None',
      'model_type = t5',
      'custom_flag = True',
      'weight_data_type = fp32',
      'relative_attention_num_buckets_or_max_pos_seq_len = 32',
    ]);
    assert.deepEqual(section(text, 'structure'), [
      't5_with_bias = false',
      'use_gated_activation = 1',
      'position_embedding_type = relative',
    ]);
  });
});
