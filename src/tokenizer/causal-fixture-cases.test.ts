// Reads the Hugging Face results of test/fixtures/causal-tokenizers (shared by the decoder-only tokenizer tests):
// 4 real vocabularies (gzipped, unpacked to a scratch directory as a model directory would hold them) and the
// tokenizers of 5 tiny decoder-only checkpoints.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

/** The fixture root, test/fixtures/causal-tokenizers. */
export const CAUSAL_FIXTURES = fileURLToPath(new URL('../../test/fixtures/causal-tokenizers', import.meta.url));

/** Real vocabularies, with HF's Rust tokenizer results. */
export const REAL_VOCABULARIES = ['qwen3', 'llama3', 'gemma3', 'gpt2'] as const;

/** Tiny decoder-only checkpoints' tokenizers (SentencePiece BPE with byte fallback, and byte-level BPE). */
export const TINY_CAUSAL = ['llama-gqa', 'llama-tied-linear', 'mistral-swa', 'phi-tiny', 'gpt2-tiny'] as const;

const ids = z.array(z.number().int().min(0));
const realSchema = z.object({
  clean_up_tokenization_spaces: z.boolean(),
  cases: z
    .array(
      z.object({
        text: z.string(),
        ids,
        ids_no_special: ids,
        decoded_transformers: z.string(),
        decoded_skip_special_transformers: z.string(),
      }),
    )
    .length(67),
});
const tinySchema = z.object({
  tokenizer: z.object({
    bos_token: z.string(),
    eos_token: z.string(),
    pad_token: z.string(),
    unk_token: z.string(),
    bos_token_id: z.number(),
    eos_token_id: z.number(),
    pad_token_id: z.number(),
  }),
  tokenization: z
    .array(
      z.object({
        text: z.string(),
        input_ids: ids,
        input_ids_no_special: ids,
        rust_tokenizer_json: z.object({ decoded: z.string(), decoded_skip_special: z.string() }),
      }),
    )
    .length(42),
});

/** The 67 cases of a real vocabulary. */
export function realCases(name: string): z.infer<typeof realSchema> {
  return realSchema.parse(JSON.parse(readFileSync(join(CAUSAL_FIXTURES, name, 'expected.json'), 'utf8')));
}

/** The 42 cases and special tokens of a tiny checkpoint. */
export function tinyCases(name: string): z.infer<typeof tinySchema> {
  return tinySchema.parse(JSON.parse(readFileSync(join(CAUSAL_FIXTURES, name, 'expected.json'), 'utf8')));
}

/**
 * A model directory holding a real vocabulary's files, `.gz` ones unpacked (`omit`: names to leave out);
 * removed by `cleanup`.
 */
export function unpackedVocabulary(name: string, omit: readonly string[] = []): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `llm-deploy-${name}-`));
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of readdirSync(join(CAUSAL_FIXTURES, name))) {
    const target = file.replace(/\.gz$/u, '');
    if (omit.includes(target) || target === 'expected.json' || target.startsWith('LICENSE')) continue;
    const bytes = readFileSync(join(CAUSAL_FIXTURES, name, file));
    writeFileSync(join(dir, target), file.endsWith('.gz') ? gunzipSync(bytes) : bytes);
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
