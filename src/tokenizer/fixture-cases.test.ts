// Reads the HF-produced tokenization cases of test/fixtures/*/expected.json (shared by the tokenizer tests).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** One HF T5Tokenizer result from the fixtures. */
export interface TokenizationCase {
  readonly text: string;
  readonly input_ids: number[];
  readonly tokens: string[];
  readonly decoded: string;
  readonly decoded_skip_special: string;
  readonly input_ids_legacy_false: number[];
}

const caseSchema = z.object({
  text: z.string(),
  input_ids: z.array(z.number().int()),
  tokens: z.array(z.string()),
  decoded: z.string(),
  decoded_skip_special: z.string(),
  input_ids_legacy_false: z.array(z.number().int()),
});
const expectedSchema = z.object({ tokenization: z.array(caseSchema).min(1) });

/** Directory of a fixture model, e.g. `fixtureDir('t5-tiny-relu')`. */
export function fixtureDir(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
}

/** The tokenization cases of a tiny fixture model. */
export function tokenizationCases(name: string): readonly TokenizationCase[] {
  const json: unknown = JSON.parse(readFileSync(`${fixtureDir(name)}/expected.json`, 'utf8'));
  return expectedSchema.parse(json).tokenization;
}

/** Fixture models that come with HF-produced tokenization cases. */
export const TINY_FIXTURES = ['t5-tiny-relu', 't5-tiny-gated'] as const;
