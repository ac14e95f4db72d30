import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInSlices, runToEnd, type Steps } from './time-slices.js';

/** Counts to `steps`, busy for `stepMs` per step. */
function* busySteps(steps: number, stepMs: number): Steps<number> {
  for (let step = 0; step < steps; step += 1) {
    const until = performance.now() + stepMs;
    while (performance.now() < until);
    yield;
  }
  return steps;
}

describe('time slices', () => {
  it('runToEnd runs every step at once', () => {
    assert.equal(runToEnd(busySteps(5, 0)), 5);
  });

  it('runInSlices gives the event loop a turn between slices', async () => {
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    try {
      assert.equal(await runInSlices(busySteps(40, 2), 5), 40);
    } finally {
      clearInterval(ticker);
    }
    // 80 ms of work in 5 ms slices: about 16 turns; run in one piece, the interval would not fire at all.
    assert.ok(turns >= 4, `${turns} turns`);
  });
});
