import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { greedy, openFixtureRuntime, readExpected } from './__fixtures__/t5-expected.js';
import type { ExpectedCase } from './__fixtures__/t5-expected.js';
import type { DecoderCache } from './decoder-cache.js';
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

// One fixture runtime for every test of the file.
let runtime: T5Runtime;
let cases: readonly ExpectedCase[];
before(async () => {
  runtime = await openFixtureRuntime(MODEL);
  cases = (await readExpected(MODEL)).cases;
});
after(() => runtime.close());

describe(`decoder state select / merge / growth on ${MODEL}`, () => {
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

describe(`decoder states that release their inputs (the scheduler's joins and departures) on ${MODEL}`, () => {
  /** Steps `state` feeding each row the reference token at its position; checks each row's greedy choice. */
  async function stepAlong(state: DecoderState, sequences: readonly (readonly number[])[], steps: number): Promise<Float32Array> {
    const vocab = runtime.config.vocabSize;
    let logits: Float32Array = new Float32Array(0);
    for (let step = 0; step < steps; step++) {
      const positions = [...state.positions];
      logits = await runtime.step(
        state,
        sequences.map((sequence, row) => sequence[positions[row] as number] as number),
      );
      sequences.forEach((sequence, row) => {
        const rowLogits = rowOf(logits, row, vocab);
        const choice = rowLogits.indexOf(Math.max(...rowLogits));
        assert.equal(
          choice,
          sequence[(positions[row] as number) + 1],
          `row ${row} at position ${positions[row]}: the reference greedy token`,
        );
      });
    }
    return logits;
  }

  /** A state of `entry` alone, fed its reference tokens up to `position`. */
  async function alone(entry: ExpectedCase, position: number, expectedTokens: number): Promise<DecoderState> {
    const state = runtime.startDecoding(await runtime.encode([entry.input_ids]), { expectedTokens });
    await advance(runtime, state, [entry.greedy.sequence], position);
    return state;
  }

  it('joins copy newcomers into the running buffers, departures and beam reorders move rows in place, logits unchanged', async () => {
    const vocab = runtime.config.vocabSize;
    const [a, long, c, d] = [cases[0], cases[2], cases[1], cases[3]] as ExpectedCase[];
    const sequences = [a, long, c, d].map((entry) => entry.greedy.sequence);
    const running = await alone(a, 2, 4);
    // Rows of different encoder lengths and positions; the first join reallocates with room for 4 rows.
    const first = runtime.merge(
      [running, runtime.startDecoding(await runtime.encode([long.input_ids, c.input_ids]), { expectedTokens: 4 })],
      {
        releaseInputs: true,
      },
    );
    await assert.rejects(runtime.step(running, [0]), { code: 'ENGINE_STATE_INVALID' });
    assert.equal((first as DecoderCache).rowCapacity, 4, 'room for the next power of two of the rows');
    await stepAlong(first, sequences.slice(0, 3), 1);
    const keysBefore = (first as DecoderCache).selfKeys[0];
    // A newcomer with fewer cache slots and a shorter prompt joins in place; the next steps grow the slots.
    const joined = runtime.merge([first, runtime.startDecoding(await runtime.encode([d.input_ids]), { expectedTokens: 2 })], {
      releaseInputs: true,
    });
    assert.equal((joined as DecoderCache).selfKeys[0], keysBefore, 'the running buffers took the newcomer in');
    assert.deepEqual(joined.positions, [3, 1, 1, 0]);
    await stepAlong(joined, sequences, 2);
    assert.ok(joined.capacity > 4, 'the slots grew');
    const keysGrown = (joined as DecoderCache).selfKeys[0];
    // Rows 0 and 2 leave; then a beam-like reorder that reads row 0 after overwriting it.
    const departed = runtime.select(joined, [1, 3], { releaseInputs: true });
    assert.equal((departed as DecoderCache).selfKeys[0], keysGrown, 'the departure moved rows in the same buffers');
    await stepAlong(
      departed,
      [long, d].map((entry) => entry.greedy.sequence),
      1,
    );
    const reordered = runtime.select(departed, [1, 0, 0], { releaseInputs: true });
    assert.deepEqual(reordered.positions, [3, 4, 4]);
    const reference = [await alone(d, 3, 12), await alone(long, 4, 12)];
    const tokens = [d.greedy.sequence[3], long.greedy.sequence[4], long.greedy.sequence[4]] as number[];
    const together = await runtime.step(reordered, tokens);
    const separate = [
      await runtime.step(reference[0] as DecoderState, [tokens[0] as number]),
      await runtime.step(reference[1] as DecoderState, [tokens[1] as number]),
    ];
    assertSameLogits(rowOf(together, 0, vocab), separate[0] as Float32Array, 'row 0 <- d');
    assertSameLogits(rowOf(together, 1, vocab), separate[1] as Float32Array, 'row 1 <- long');
    assertSameLogits(rowOf(together, 2, vocab), separate[1] as Float32Array, 'row 2 <- long (twin)');
    // Growing again keeps the room for rows and the rows' contents: decoding goes on as the reference.
    const rest = runtime.select(reordered, [0, 1], { releaseInputs: true });
    const capacity = rest.capacity;
    await stepAlong(
      rest,
      [d, long].map((entry) => entry.greedy.sequence),
      d.greedy.sequence.length - 1 - (rest.positions[0] as number),
    );
    assert.ok(rest.capacity > capacity, 'the slots grew again');
    runtime.release(rest);
  });

  it('a merge of rows that share cross buffers with a kept state leaves that state intact', async () => {
    const vocab = runtime.config.vocabSize;
    const [b, c] = [cases[1], cases[3]] as ExpectedCase[];
    const state = runtime.startDecoding(await runtime.encode([b.input_ids, c.input_ids]), { expectedTokens: 8 });
    await advance(runtime, state, [b.greedy.sequence, c.greedy.sequence], 2);
    const kept = runtime.select(state, [0, 1]);
    const twins = runtime.select(kept, [1, 0]);
    const merged = runtime.merge(
      [runtime.merge([runtime.select(state, [1]), runtime.select(state, [0])], { releaseInputs: true }), twins],
      { releaseInputs: true, expectedRows: 6 },
    );
    assert.equal((merged as DecoderCache).rowCapacity, 8, 'room for the rows expected');
    const departed = runtime.select(merged, [0, 3], { releaseInputs: true });
    const tokens = [b.greedy.sequence[2], c.greedy.sequence[2]] as number[];
    const reference = await runtime.step(kept, tokens);
    const logits = await runtime.step(departed, [tokens[1] as number, tokens[0] as number]);
    assertSameLogits(rowOf(logits, 0, vocab), rowOf(reference, 1, vocab), 'row 0 <- c');
    assertSameLogits(rowOf(logits, 1, vocab), rowOf(reference, 0, vocab), 'row 1 <- b');
    assert.throws(() => runtime.merge([kept, kept], { releaseInputs: true }), { code: 'ENGINE_RUNTIME_INPUT_INVALID' });
    assert.throws(() => runtime.select(kept, [0], { releaseInputs: true, expectedRows: -1 }), { code: 'ENGINE_RUNTIME_INPUT_INVALID' });
  });
});
