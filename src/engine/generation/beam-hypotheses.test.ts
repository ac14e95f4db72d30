import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeamHypotheses } from './beam-hypotheses.js';

const hypothesis = (sumLogProbs: number, length: number) => ({
  sumLogProbs,
  tokens: new Array<number>(length).fill(5),
  tokenLogProbs: [],
  endedOnEos: true,
});

test('keeps the numBeams best by sum / length ** lengthPenalty', () => {
  const kept = new BeamHypotheses({ numBeams: 2, lengthPenalty: 1, earlyStopping: false, maxNewTokens: 20 });
  kept.add(hypothesis(-4, 4), 4); // -1
  kept.add(hypothesis(-1, 2), 2); // -0.5
  kept.add(hypothesis(-6, 3), 3); // -2: worse than both, not kept
  kept.add(hypothesis(-3, 4), 4); // -0.75: replaces -1
  assert.deepEqual(
    kept.ranked().map((entry) => entry.score),
    [-0.5, -0.75],
  );
  const long = new BeamHypotheses({ numBeams: 1, lengthPenalty: 2, earlyStopping: false, maxNewTokens: 20 });
  long.add(hypothesis(-8, 2), 2);
  assert.equal(long.ranked()[0].score, -2);
});

test("is_done follows HF: early stopping true, false (current length) and 'never' (max length when lengthPenalty > 0)", () => {
  const make = (earlyStopping: boolean | 'never') => {
    const kept = new BeamHypotheses({ numBeams: 1, lengthPenalty: 1, earlyStopping, maxNewTokens: 10 });
    assert.equal(kept.isDone(-1, 2), false, 'not done before numBeams hypotheses exist');
    kept.add(hypothesis(-2, 4), 4); // worst score -0.5
    return kept;
  };
  assert.equal(make(true).isDone(-100, 5), true);
  // worst kept -0.5; best attainable -2 / 5 = -0.4 beats it, -3 / 5 = -0.6 does not
  assert.equal(make(false).isDone(-2, 5), false);
  assert.equal(make(false).isDone(-3, 5), true);
  // 'never' divides by the longest possible length: -3 / 10 = -0.3 could still beat -0.5
  assert.equal(make('never').isDone(-3, 5), false);
  assert.equal(make('never').isDone(-6, 5), true);
});
