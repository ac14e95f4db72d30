// The server's streaming decoder over the decoder-only tokenizers: the deltas it emits token by token add up
// to Hugging Face's whole decode, including characters whose UTF-8 bytes span several byte-level or
// byte-fallback tokens (emoji, CJK).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { IncrementalDecoder } from '../../src/server/incremental-decoder.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/causal-tokenizers', import.meta.url));
const casesSchema = z.object({
  tokenization: z.array(
    z.object({ input_ids: z.array(z.number().int()), rust_tokenizer_json: z.object({ decoded_skip_special: z.string() }) }),
  ),
});

for (const name of ['llama-gqa', 'phi-tiny', 'gpt2-tiny']) {
  describe(`streaming decode with the ${name} tokenizer`, () => {
    it('streams deltas that add up to the whole skip-special decode of every case', async () => {
      const tokenizer = await loadTokenizer(join(fixtures, name));
      const json: unknown = JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8'));
      let split = 0;
      for (const c of casesSchema.parse(json).tokenization) {
        const decoder = new IncrementalDecoder(tokenizer);
        const deltas = c.input_ids.map((id) => decoder.push(id));
        const streamed = deltas.join('') + decoder.flush();
        assert.equal(streamed, c.rust_tokenizer_json.decoded_skip_special, JSON.stringify(c.input_ids));
        assert.ok(!deltas.some((delta) => delta.includes('\ufffd')), 'a cut character was emitted half-done');
        if (deltas.some((delta) => delta === '')) split += 1;
      }
      // Some tokens emit nothing (a character held back, or a special token), so the checks above are not vacuous.
      assert.ok(split > 0);
    });
  });
}
