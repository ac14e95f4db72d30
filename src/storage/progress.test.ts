import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROGRESS_MIN_BYTES, formatProgress, throttleProgress, type TransferProgress } from './progress.js';

describe('transfer progress', () => {
  it('reports large files at most once per interval plus the end, and small files not at all', () => {
    const seen: TransferProgress[] = [];
    const report = throttleProgress((progress) => seen.push(progress), 60_000);
    const big = PROGRESS_MIN_BYTES * 2;
    for (const done of [1, 2, 3, big]) report({ direction: 'upload', file: 'w.bin', bytesDone: done, bytesTotal: big });
    assert.deepEqual(
      seen.map((progress) => progress.bytesDone),
      [1, big],
    );
    const small = throttleProgress((progress) => seen.push(progress));
    small({ direction: 'download', file: 'c.json', bytesDone: 10, bytesTotal: 10 });
    assert.equal(seen.length, 2);
    assert.equal(
      formatProgress({ direction: 'upload', file: 'w.bin', bytesDone: 8 << 20, bytesTotal: 32 << 20 }),
      'upload w.bin: 8.0 of 32.0 MiB (25%)',
    );
  });
});
