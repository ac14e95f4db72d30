// GPT-2's slow tokenizer files (vocab.json + merges.txt, no tokenizer.json) turned into the tokenizer.json
// that transformers 4.36 builds from them (convert_slow_tokenizer.GPT2Converter: byte-level BPE, ByteLevel
// pre-tokenizer/decoder, a BOS template only with add_bos_token), so they take the tokenizer.json path.
// https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/convert_slow_tokenizer.py (GPT2Converter),
// https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/gpt2/tokenization_gpt2.py (merges.txt).
import { z } from 'zod';
import { MODEL_FILE_LIMITS } from '../model/index.js';
import { modelInvalid } from './errors.js';
import type { AddedTokenJson, HfTokenizerConfig } from './hf-tokenizer-config.js';
import { parseTokenizerJson, readTokenizerFile } from './read-tokenizer-file.js';

const vocabSchema = z.record(z.string(), z.number().int().min(0).max(0x7fffffff));

async function readText(file: string, expected: string): Promise<string> {
  const bytes = await readTokenizerFile(file, {
    maxBytes: MODEL_FILE_LIMITS.tokenizerJsonBytes,
    expected,
    code: 'TOKENIZER_MODEL_INVALID',
  });
  return bytes.toString('utf8');
}

/** GPT2Tokenizer's reading of merges.txt: `split("\n")[1:-1]` (a `#version` line first), each line split on whitespace. */
function parseMerges(text: string, file: string): [string, string][] {
  return text
    .split('\n')
    .slice(1, -1)
    .map((line, index) => {
      const parts = line.trim().split(/\s+/u);
      const [left, right] = parts;
      if (parts.length !== 2 || left === undefined || right === undefined || left === '') {
        throw modelInvalid(file, 'a merges.txt line is not two tokens', { line: index + 2, given: line.slice(0, 60) });
      }
      return [left, right];
    });
}

/** The tokenizer.json text GPT2Converter would write for these slow files. */
export async function gpt2TokenizerJson(vocabFile: string, mergesFile: string, config: HfTokenizerConfig): Promise<string> {
  const parsedVocab = vocabSchema.safeParse(
    parseTokenizerJson(await readText(vocabFile, 'a GPT-2 vocab.json'), vocabFile, 'TOKENIZER_MODEL_INVALID'),
  );
  if (!parsedVocab.success) {
    throw modelInvalid(vocabFile, 'vocab.json is not an object of token -> id', {
      field: parsedVocab.error.issues[0]?.path.join('.') ?? '',
    });
  }
  const vocab = parsedVocab.data;
  const merges = parseMerges(await readText(mergesFile, 'a GPT-2 merges.txt'), mergesFile);
  const roles = config.specialTokensMap;
  // Without added_tokens_decoder (older checkpoints) the special tokens by role are the added tokens.
  const named = [roles.bos_token, roles.eos_token, roles.unk_token, roles.pad_token].filter((token) => token !== undefined);
  const addedTokens: readonly AddedTokenJson[] =
    config.addedTokens.length > 0
      ? config.addedTokens
      : [...new Set(named)].flatMap((content) => (vocab[content] === undefined ? [] : [{ id: vocab[content], content, special: true }]));
  const bos = roles.bos_token ?? '<|endoftext|>';
  const bosId = vocab[bos];
  const postProcessor =
    config.addBosToken && bosId !== undefined
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [bos]: { id: bos, ids: [bosId], tokens: [bos] } },
        }
      : { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens.map((token) => ({
      id: token.id,
      content: token.content,
      single_word: token.single_word ?? false,
      lstrip: token.lstrip ?? false,
      rstrip: token.rstrip ?? false,
      normalized: token.normalized ?? !(token.special ?? false),
      special: token.special ?? false,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: config.addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  });
}
