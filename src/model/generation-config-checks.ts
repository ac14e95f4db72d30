// Settings that each pass the schema but together (or against config.json) make every request fail; refused
// at load so `serve` never comes up ready with them. The rules mirror engine/generation/params.ts (HF v4.36).
import { modelError } from './errors.js';
import type { GenerationConfig } from './generation-config.js';

/** Where the generation settings came from, and the vocabulary their token ids must fall in. */
export interface GenerationCheckContext {
  readonly file: string;
  readonly vocabSize: number;
}

/** Throws MODEL_CONFIG_INVALID naming the first inconsistent field (its JSON name), the value and what fits. */
export function checkGenerationConfig(config: GenerationConfig, context: GenerationCheckContext): void {
  const fail = (field: string, given: number, expected: string): never => {
    throw modelError('MODEL_CONFIG_INVALID', 'generation setting cannot work with the others', {
      file: context.file,
      field,
      given: String(given),
      expected,
    });
  };
  if (!config.doSample && config.numBeams === 1 && config.numReturnSequences > 1) {
    fail('num_return_sequences', config.numReturnSequences, '1 for greedy decoding (or do_sample / num_beams > 1)');
  }
  if (!config.doSample && config.numReturnSequences > config.numBeams) {
    fail('num_return_sequences', config.numReturnSequences, `at most num_beams (${config.numBeams}) for beam search`);
  }
  if (config.minLength > config.maxLength) fail('min_length', config.minLength, `at most max_length (${config.maxLength})`);
  if (config.minNewTokens !== undefined && config.maxNewTokens !== undefined && config.minNewTokens > config.maxNewTokens) {
    fail('min_new_tokens', config.minNewTokens, `at most max_new_tokens (${config.maxNewTokens})`);
  }
  if (config.doSample && !(config.temperature > 0)) fail('temperature', config.temperature, 'a number > 0 when do_sample is true');
  if (config.doSample && !(config.topP > 0)) fail('top_p', config.topP, 'a number in (0, 1] when do_sample is true');
  const ids: readonly [string, number][] = [
    ['eos_token_id', config.eosTokenId],
    ['pad_token_id', config.padTokenId],
    ['decoder_start_token_id', config.decoderStartTokenId],
    ...(config.forcedBosTokenId === undefined ? [] : [['forced_bos_token_id', config.forcedBosTokenId] as [string, number]]),
    ...(config.forcedEosTokenIds ?? []).map((id): [string, number] => ['forced_eos_token_id', id]),
    // HF SequenceBiasLogitsProcessor raises for a banned id outside the vocabulary.
    ...(config.badWordsIds ?? []).flat().map((id): [string, number] => ['bad_words_ids', id]),
  ];
  for (const [field, id] of ids) {
    if (id >= context.vocabSize) fail(field, id, `a token id below vocab_size (${context.vocabSize})`);
  }
}
