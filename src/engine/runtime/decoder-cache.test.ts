import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { greedy, openFixtureRuntime, readExpected } from './__fixtures__/t5-expected.js';
import type { ExpectedCase } from './__fixtures__/t5-expected.js';
import type { DecoderState, T5Runtime } from './types.js';

const MODEL = 't5-tiny-gated';

function rowOf(logits: Float32Array, row: number, vocab: number): Float32Array {
  return logits.subarray(row * vocab, (row + 1) * vocab);
}

function assertSameLogits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let index = 0; index < actual.length; index++)
    worst = Math.max(worst, Math.abs((actual[index] as number) - (expected[index] as number)));
  assert.ok(worst <= 1e-4, `${what}: largest difference ${worst}`);
}

/** Feeds the reference greedy tokens of `expected` for `steps` steps. */
async function advance(runtime: T5Runtime, state: DecoderState, sequences: readonly (readonly number[])[], steps: number): Promise<void> {
  for (let step = 0; step < steps; step++) {
    await runtime.step(
      state,
      sequences.map((sequence) => sequence[state.positions[0] ?? 0] as number),
    );
  }
}

describe(`decoder state select / merge / growth on ${MODEL}`, () => {
  let runtime: T5Runtime;
  let cases: readonly ExpectedCase[];
  before(async () => {
    runtime = await openFixtureRuntime(MODEL);
    cases = (await readExpected(MODEL)).cases;
  });
  after(() => runtime.close());

  it('merging rows at different positions and encoder lengths gives the logits of separate states', async () => {
    const vocab = runtime.config.vocabSize;
    const [first, long] = [cases[0] as ExpectedCase, cases[2] as ExpectedCase];
    assert.ok(long.input_ids.length > 128, 'case 2 is the long prompt');
    const stateA = runtime.startDecoding(await runtime.encode([first.input_ids]), { expectedTokens: 4 });
    const stateB = runtime.startDecoding(await runtime.encode([long.input_ids]), { expectedTokens: 40 });
    await advance(runtime, stateA, [first.greedy.sequence], 3);
    await advance(runtime, stateB, [long.greedy.sequence], 1);
    const merged = runtime.merge([stateA, stateB]);
    assert.deepEqual(merged.positions, [3, 1]);
    assert.deepEqual(merged.encoderLengths, [first.input_ids.length, long.input_ids.length]);
    for (let step = 0; step < 4; step++) {
      const tokenA = first.greedy.sequence[3 + step] as number;
      const tokenB = long.greedy.sequence[1 + step] as number;
      const together = await runtime.step(merged, [tokenA, tokenB]);
      const alone = [await runtime.step(stateA, [tokenA]), await runtime.step(stateB, [tokenB])];
      assertSameLogits(rowOf(together, 0, vocab), alone[0] as Float32Array, `step ${step} row 0`);
      assertSameLogits(rowOf(together, 1, vocab), alone[1] as Float32Array, `step ${step} row 1`);
    }
  });

  it('select reorders, duplicates and drops rows (beam search), leaving the source usable', async () => {
    const vocab = runtime.config.vocabSize;
    const prompts = [cases[1] as ExpectedCase, cases[3] as ExpectedCase];
    const state = runtime.startDecoding(await runtime.encode(prompts.map((entry) => entry.input_ids)));
    await advance(
      runtime,
      state,
      prompts.map((entry) => entry.greedy.sequence),
      2,
    );
    const picked = runtime.select(state, [1, 1, 0]);
    assert.deepEqual(picked.positions, [2, 2, 2]);
    const tokens = prompts.map((entry) => entry.greedy.sequence[2] as number);
    const reference = await runtime.step(state, tokens);
    const reordered = await runtime.step(picked, [tokens[1] as number, tokens[1] as number, tokens[0] as number]);
    assertSameLogits(rowOf(reordered, 0, vocab), rowOf(reference, 1, vocab), 'row 0 <- 1');
    assertSameLogits(rowOf(reordered, 1, vocab), rowOf(reference, 1, vocab), 'row 1 <- 1');
    assertSameLogits(rowOf(reordered, 2, vocab), rowOf(reference, 0, vocab), 'row 2 <- 0');
    const dropped = runtime.select(picked, [2]);
    assert.equal(dropped.rows, 1);
    assertSameLogits(
      await runtime.step(dropped, [7]),
      rowOf(await runtime.step(runtime.select(state, [0]), [7]), 0, vocab),
      'dropped rows',
    );
  });

  it('buffers of released states are reused by later states without changing their logits', async () => {
    const vocab = runtime.config.vocabSize;
    const prompts = [cases[1] as ExpectedCase, cases[3] as ExpectedCase];
    const sequences = prompts.map((entry) => entry.greedy.sequence);
    const state = runtime.startDecoding(await runtime.encode(prompts.map((entry) => entry.input_ids)), { expectedTokens: 8 });
    await advance(runtime, state, sequences, 2);
    const tokens = sequences.map((sequence) => sequence[2] as number);
    // Reference logits of row 1 from a copy that is never released.
    const keptCopy = runtime.select(state, [1]);
    const reference = await runtime.step(runtime.select(state, [0, 1]), tokens);
    // Beams sharing one prompt's cross buffers: releasing one must leave the other's intact.
    const beams = runtime.select(state, [1, 1]);
    const sibling = runtime.select(beams, [1, 0]);
    runtime.release(beams);
    for (let round = 0; round < 3; round++) {
      const scratch = runtime.select(state, [0, 1]);
      runtime.release(runtime.merge([scratch, runtime.select(state, [1])]));
      runtime.release(scratch);
    }
    const again = runtime.select(state, [0, 1]);
    assertSameLogits(await runtime.step(again, tokens), reference, 'rows rebuilt in recycled buffers');
    const siblingLogits = await runtime.step(sibling, [tokens[1] as number, tokens[1] as number]);
    assertSameLogits(rowOf(siblingLogits, 0, vocab), rowOf(reference, 1, vocab), 'sibling beam after its twin was released');
    assertSameLogits(await runtime.step(keptCopy, [tokens[1] as number]), rowOf(reference, 1, vocab), 'the kept copy');
  });

  it('a cache that starts with one slot grows and still decodes the reference', async () => {
    const expected = cases[4] as ExpectedCase;
    const state = runtime.startDecoding(await runtime.encode([expected.input_ids]), { expectedTokens: 1 });
    const sequence = [runtime.config.decoderStartTokenId];
    for (let step = 0; step < expected.greedy.sequence.length - 1; step++) {
      const logits = await runtime.step(state, [sequence[sequence.length - 1] as number]);
      sequence.push(logits.indexOf(Math.max(...logits)));
    }
    assert.deepEqual(sequence, expected.greedy.sequence);
    assert.ok(state.capacity >= expected.greedy.sequence.length - 1);
  });

  it('rejects states of another runtime, released states and wrong token counts', async () => {
    const state = runtime.startDecoding(await runtime.encode([[5, 1]]));
    await assert.rejects(runtime.step(state, [0, 0]), { code: 'ENGINE_RUNTIME_INPUT_INVALID' });
    runtime.release(state);
    await assert.rejects(runtime.step(state, [0]), { code: 'ENGINE_STATE_INVALID' });
    const other = await openFixtureRuntime(MODEL);
    try {
      const foreign = runtime.startDecoding(await runtime.encode([[5, 1]]));
      assert.throws(() => other.select(foreign, [0]), { code: 'ENGINE_STATE_INVALID' });
    } finally {
      await other.close();
    }
    assert.deepEqual((await greedy(runtime, [[5, 1]], 2))[0]?.length, 3);
  });
});
