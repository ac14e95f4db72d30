import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { defaultGenerationConfig } from '../../model/index.js';
import type { GenerationParams } from '../backend.js';
import { paramsFromGenerationConfig } from '../generation/defaults.js';
import { completionBody, OPENAI_ENGINES, type OpenAiEngineKind } from './dialects.js';

const defaults = paramsFromGenerationConfig(defaultGenerationConfig({ decoderStartTokenId: 0, eosTokenId: 1, padTokenId: 0 }));
const body = (kind: OpenAiEngineKind, params: Partial<GenerationParams>, logProbs = false): Record<string, unknown> =>
  completionBody(kind, { model: 'm', inputIds: [5, 1], params: { ...defaults, ...params }, defaults, stream: false, logProbs });

describe('completionBody', () => {
  it('greedy: vLLM temperature 0, TensorRT-LLM top_k 1; token ids asked back as each documents', () => {
    const expected = {
      vllm: { temperature: 0, n: 1, return_token_ids: true },
      'tensorrt-llm': { top_k: 1, n: 1, detokenize: false },
    } as const;
    for (const kind of OPENAI_ENGINES) {
      assert.deepEqual(body(kind, { maxNewTokens: 7 }), { model: 'm', prompt: [5, 1], max_tokens: 7, ...expected[kind], stream: false });
    }
  });

  it('sampling maps temperature, top_p, top_k, n and seed; logprobs 0 asks for the chosen tokens only', () => {
    const sampled = { doSample: true, temperature: 0.7, topP: 0.9, topK: 40, numReturnSequences: 3, seed: 11 };
    for (const kind of OPENAI_ENGINES) {
      const sent = body(kind, sampled, true);
      assert.deepEqual(
        [sent['temperature'], sent['top_p'], sent['top_k'], sent['n'], sent['seed'], sent['logprobs']],
        [0.7, 0.9, 40, 3, 11, 0],
      );
    }
  });

  it('top_k 0 (off) is left out rather than sent', () => {
    for (const kind of OPENAI_ENGINES) assert.equal('top_k' in body(kind, { doSample: true, temperature: 0.7, topK: 0 }), false);
  });

  it('beam search: vLLM n = beams; TensorRT-LLM best_of = beams, n = sequences; min_tokens and repetition_penalty pass', () => {
    const beams = { numBeams: 4, numReturnSequences: 2, lengthPenalty: 0.8, minNewTokens: 3, repetitionPenalty: 1.2 };
    const vllm = body('vllm', beams);
    assert.deepEqual(
      [vllm['use_beam_search'], vllm['n'], vllm['length_penalty'], vllm['min_tokens'], vllm['repetition_penalty']],
      [true, 4, 0.8, 3, 1.2],
    );
    const trt = body('tensorrt-llm', beams);
    assert.deepEqual([trt['use_beam_search'], trt['best_of'], trt['n'], trt['length_penalty']], [true, 4, 2, 0.8]);
  });

  it('refuses what the engine cannot do, naming the field; the model default alone is not refused', () => {
    for (const kind of OPENAI_ENGINES) {
      assert.throws(
        () => body(kind, { noRepeatNgramSize: 3 }),
        (error) => LlmDeployError.isInstance(error) && error.httpStatus === 400 && error.field === 'no_repeat_ngram_size',
      );
      assert.throws(
        () => body(kind, { doSample: true, numBeams: 2 }),
        (error) => LlmDeployError.isInstance(error) && error.field === 'num_beams',
      );
      const ngramDefaults = { ...defaults, noRepeatNgramSize: 3 };
      assert.doesNotThrow(() =>
        completionBody(kind, { model: 'm', inputIds: [1], params: ngramDefaults, defaults: ngramDefaults, stream: false, logProbs: false }),
      );
    }
    assert.throws(
      () => body('vllm', { numBeams: 2, earlyStopping: true }),
      (error) => LlmDeployError.isInstance(error) && error.field === 'early_stopping',
    );
    assert.equal(body('tensorrt-llm', { numBeams: 2, earlyStopping: true })['early_stopping'], true);
  });
});
