import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { sinusoidalPositions } from './sinusoidal-positions.js';

const EXPECTED = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'seq2seq', 'marian-tiny', 'expected.json');

const details = z
  .object({
    model_details: z.object({
      embed_positions: z.object({ shape: z.tuple([z.number().int(), z.number().int()]), rows: z.record(z.string(), z.array(z.number())) }),
    }),
  })
  .parse(JSON.parse(readFileSync(EXPECTED, 'utf8'))).model_details.embed_positions;

describe('sinusoidalPositions (MarianSinusoidalPositionalEmbedding)', () => {
  it("gives marian-tiny's reference rows 0, 1, 2 and 300 as float32", () => {
    const [rows, dim] = details.shape;
    const table = sinusoidalPositions(rows, dim);
    assert.equal(table.length, rows * dim);
    assert.deepEqual(Object.keys(details.rows).sort(), ['0', '1', '2', '300']);
    for (const [position, reference] of Object.entries(details.rows)) {
      const row = Array.from(table.subarray(Number(position) * dim, (Number(position) + 1) * dim));
      assert.deepEqual(row, reference.map(Math.fround), `row ${position}`);
    }
  });

  it('puts the extra sine column first for an odd width, as HF does', () => {
    const table = sinusoidalPositions(2, 3);
    assert.deepEqual(Array.from(table.subarray(0, 3)), [0, 0, 1]);
    assert.deepEqual(Array.from(table.subarray(3, 6)), [Math.sin(1), Math.sin(1 / 10000 ** (2 / 3)), Math.cos(1)].map(Math.fround));
  });
});
