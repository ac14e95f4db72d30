import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { OBJECT_NAME_MAX_BYTES, safeDestination } from './safe-destination.js';

const staging = '/cache/gcs/b/m-0123456789ab.partial-7-AbC123';

function refusal(name: string): LlmDeployError {
  try {
    safeDestination(staging, name, { source: `gs://b/m/${name}` });
  } catch (error) {
    if (LlmDeployError.isInstance(error)) return error;
    throw error;
  }
  assert.fail(`accepted ${JSON.stringify(name)}`);
}

describe('safeDestination', () => {
  it('places ordinary names inside the staging folder', () => {
    assert.equal(safeDestination(staging, 'config.json', { source: 'gs://b/m/config.json' }), join(staging, 'config.json'));
    assert.equal(safeDestination(staging, '1/2-gpu/x.bin', { source: 'gs://b/m/1/2-gpu/x.bin' }), join(staging, '1', '2-gpu', 'x.bin'));
    assert.equal(safeDestination(staging, '..a/b..', { source: 'gs://b/m/..a/b..' }), join(staging, '..a', 'b..'));
  });

  const hostile: ReadonlyArray<readonly [string, string]> = [
    ['traversal', '../../../../tmp/x'],
    ['traversal in the middle', 'a/../../x'],
    ['a lone ..', '..'],
    ['absolute', '/etc/passwd'],
    ['backslash traversal', '..\\..\\x'],
    ['NUL', 'a\0.bin'],
    ['empty', ''],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/'],
    ['dot segment', './a'],
    ['segment over 255 bytes', 'x'.repeat(256)],
    ['name over 1024 bytes', Array.from({ length: 6 }, () => 'y'.repeat(200)).join('/')],
  ];
  for (const [label, name] of hostile) {
    it(`refuses ${label}, naming the object and what is expected`, () => {
      const error = refusal(name);
      assert.equal(error.code, 'STORAGE_OBJECT_NAME_UNSAFE');
      assert.equal(error.httpStatus, 422);
      assert.equal(error.file, `gs://b/m/${name}`);
      assert.match(error.expected ?? '', /relative name/);
    });
  }

  it('allows a name of exactly the Cloud Storage limit', () => {
    const name = Array.from({ length: 5 }, () => 'z'.repeat(204)).join('/');
    assert.equal(Buffer.byteLength(name), OBJECT_NAME_MAX_BYTES);
    assert.ok(safeDestination(staging, name, { source: 'gs://b/m/long' }).startsWith(staging));
  });
});
