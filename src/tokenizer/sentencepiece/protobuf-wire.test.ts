import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { encodeVarint, readFields, readFloat32, writeFields } from './protobuf-wire.js';

describe('protobuf wire format', () => {
  it('reads varint, fixed32 and length-delimited fields and writes them back byte for byte', () => {
    // field 1 "hi", field 2 float 1.5, field 3 varint 300, field 43 varint -1 (10 bytes), field 4 fixed64
    const bytes = Uint8Array.from([
      0x0a, 0x02, 0x68, 0x69, 0x15, 0x00, 0x00, 0xc0, 0x3f, 0x18, 0xac, 0x02, 0xd8, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0x01, 0x21, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    const fields = readFields(bytes);
    assert.deepEqual(
      fields.map((field) => [field.number, field.wireType]),
      [
        [1, 2],
        [2, 5],
        [3, 0],
        [43, 0],
        [4, 1],
      ],
    );
    const [text, score, count] = fields;
    assert.equal(new TextDecoder().decode(text?.bytes), 'hi');
    assert.equal(readFloat32(score?.bytes ?? new Uint8Array(4)), 1.5);
    assert.equal(count?.wireType === 0 ? count.value : undefined, 300);
    assert.deepEqual(writeFields(fields), bytes);
    assert.deepEqual(encodeVarint(300), Uint8Array.from([0xac, 0x02]));
  });
  it('rejects truncated or unknown encodings', () => {
    const invalid = (error: unknown): boolean => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_MODEL_INVALID';
    assert.throws(() => readFields(Uint8Array.from([0x0a, 0x05, 0x61])), invalid);
    assert.throws(() => readFields(Uint8Array.from([0x0b])), invalid);
    assert.throws(() => readFields(Uint8Array.from([0x08, 0x80])), invalid);
  });

  it('refuses a length that claims more bytes than remain, before taking any', () => {
    // field 1, wire type 2, length 2^49 as a varint, then 3 bytes
    const bytes = Uint8Array.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 2, 3]);
    assert.throws(
      () => readFields(bytes),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_MODEL_INVALID',
    );
  });
});
