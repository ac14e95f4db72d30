// Hostile input: long runs of characters outside the vocabulary. SentencePiece merges such a run into
// one `<unk>`; tokenizing it must take time linear in its length, on every way of loading the tokenizer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixtureDir, tokenizationCases } from './fixture-cases.test.js';
import { loadTokenizer, type TokenizerSource } from './load-tokenizer.js';
import { loadWasmProcessor } from './sentencepiece/wasm-processor.js';

/** Fastest of three runs, in ms: the least disturbed by other work on a loaded machine. */
function fastestMs(work: () => void): number {
  let best = Infinity;
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

// `Å` is outside t5-tiny-relu's vocabulary, `☃` outside t5-vocab-32k's (the one with a tokenizer.json).
const CASES: ReadonlyArray<{ fixture: string; source: TokenizerSource; unknown: string }> = [
  { fixture: 't5-tiny-relu', source: 'spiece.model', unknown: 'Å' },
  { fixture: 't5-vocab-32k', source: 'spiece.model', unknown: '☃' },
  { fixture: 't5-vocab-32k', source: 'tokenizer.json', unknown: '☃' },
];

for (const { fixture, source, unknown } of CASES) {
  describe(`runs of an unknown character (${fixture}, ${source})`, async () => {
    const tokenizer = await loadTokenizer(fixtureDir(fixture), { source });

    it('become one <unk>, whatever their length', () => {
      const short = tokenizer.encode(unknown.repeat(3));
      assert.deepEqual(tokenizer.encode(unknown.repeat(200_000)), short);
      assert.ok(tokenizer.unkTokenId !== undefined && short.includes(tokenizer.unkTokenId));
    });

    it('take time linear in their length (300k characters within 30x the time of 30k)', () => {
      const shortMs = fastestMs(() => tokenizer.encode(unknown.repeat(30_000)));
      const longMs = fastestMs(() => tokenizer.encode(unknown.repeat(300_000)));
      // Quadratic work takes ~100x as long for 10x the length (here 45 ms and 4 s); linear ~10x (3 ms and
      // 30 ms). The constant absorbs timer noise and collector pauses.
      assert.ok(longMs < 30 * shortMs + 250, `30k: ${shortMs.toFixed(1)} ms, 300k: ${longMs.toFixed(1)} ms`);
    });
  });
}

describe('text after a long unknown run is encoded as SentencePiece does', () => {
  for (const fixture of ['t5-tiny-relu', 't5-tiny-gated']) {
    it(fixture, async () => {
      const file = join(fixtureDir(fixture), 'spiece.model');
      const reference = await loadWasmProcessor(readFileSync(file), file);
      const tokenizer = await loadTokenizer(fixtureDir(fixture));
      // Path scores after 5000 unknown characters are large, so float32 rounding decides more ties.
      for (const c of tokenizationCases(fixture)) {
        if (/<[a-z/_0-9]+>/u.test(c.text)) continue;
        const text = `${'Å'.repeat(5000)} ${c.text}`;
        assert.deepEqual(tokenizer.encode(text), [...reference.encodeIds(text), tokenizer.eosTokenId], JSON.stringify(c.text));
      }
    });
  }
});

describe('encodeAsync on a 1.4 MB prompt', () => {
  it('lets the event loop run while it works, and gives the ids encode gives', async () => {
    const tokenizer = await loadTokenizer(fixtureDir('t5-tiny-relu'));
    const text = 'Å'.repeat(700_000);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    let ids: number[];
    try {
      ids = await tokenizer.encodeAsync(text, { sliceMs: 5 });
    } finally {
      clearInterval(ticker);
    }
    // About 100 ms of work in 5 ms slices; done in one piece, the interval would not fire at all.
    assert.ok(turns >= 3, `${turns} turns`);
    assert.deepEqual(ids, tokenizer.encode(text));
  });
});
