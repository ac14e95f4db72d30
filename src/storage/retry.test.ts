import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPool } from './pool.js';
import { withRetries } from './retry.js';

describe('withRetries and runPool', () => {
  it('retries until success, and gives up after the last attempt', async () => {
    let calls = 0;
    assert.equal(
      await withRetries(async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'), { attempts: 3, initialDelayMs: 1 }),
      'ok',
    );
    calls = 0;
    await assert.rejects(
      withRetries(async () => Promise.reject(new Error(`fail ${++calls}`)), { attempts: 2, initialDelayMs: 1 }),
      /fail 2/,
    );
    calls = 0;
    await assert.rejects(
      withRetries(
        async () => Promise.reject(new Error(`fail ${++calls}`)),
        { attempts: 5, initialDelayMs: 1 },
        () => false,
      ),
      /fail 1/,
    );
  });

  it('keeps at most `concurrency` tasks in flight and reports a failure', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      seen.push(item);
      running -= 1;
    });
    assert.equal(peak, 3);
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
    await assert.rejects(
      runPool([1, 2], 2, async (item) => (item === 2 ? Promise.reject(new Error('two')) : undefined)),
      /two/,
    );
  });
});
