import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decoderBucketTable, encoderBuckets, relativePositionBucket } from './relative-position.js';

// Hugging Face's formula with T5's defaults (32 buckets, max distance 128); encoder parity with the
// 202-token fixture prompt checks the exact edges, these check the structure.
const T5 = { numBuckets: 32, maxDistance: 128 };

describe('T5 relative position buckets', () => {
  it('bidirectional: exact below 8, keys after the query in the upper half, log-spaced, last bucket from 128 on', () => {
    for (let distance = 0; distance < 8; distance++) {
      assert.equal(relativePositionBucket(-distance, { ...T5, bidirectional: true }), distance);
      if (distance > 0) assert.equal(relativePositionBucket(distance, { ...T5, bidirectional: true }), 16 + distance);
    }
    assert.equal(relativePositionBucket(-16, { ...T5, bidirectional: true }), 10);
    assert.equal(relativePositionBucket(32, { ...T5, bidirectional: true }), 16 + 12);
    assert.equal(relativePositionBucket(-127, { ...T5, bidirectional: true }), 15);
    assert.equal(relativePositionBucket(-500, { ...T5, bidirectional: true }), 15);
    assert.equal(relativePositionBucket(500, { ...T5, bidirectional: true }), 31);
  });

  it('causal: keys after the query share bucket 0; the table saturates at the max distance', () => {
    assert.equal(relativePositionBucket(5, { ...T5, bidirectional: false }), 0);
    const table = decoderBucketTable(200, T5);
    for (let distance = 0; distance < 16; distance++) assert.equal(table[distance], BigInt(distance));
    for (let distance = 1; distance < 200; distance++) assert.ok((table[distance] as bigint) >= (table[distance - 1] as bigint));
    assert.equal(table[112], 30n);
    assert.equal(table[113], 31n);
    assert.equal(table[199], 31n);
  });

  it('encoder bucket matrix is row = query, column = key', () => {
    const matrix = encoderBuckets(3, { ...T5, bidirectional: true });
    assert.deepEqual([...matrix], [0n, 17n, 18n, 1n, 0n, 17n, 2n, 1n, 0n]);
  });
});
