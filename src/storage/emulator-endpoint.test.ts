import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { normalizeEmulatorEndpoint } from './emulator-endpoint.js';

describe('normalizeEmulatorEndpoint', () => {
  it('reads every documented form as the same origin', () => {
    for (const form of [
      '127.0.0.1:4443',
      'http://127.0.0.1:4443',
      'http://127.0.0.1:4443/',
      'http://127.0.0.1:4443/storage/v1',
      'http://127.0.0.1:4443/storage/v1/',
      'HTTP://127.0.0.1:4443',
      ' 127.0.0.1:4443/ ',
    ]) {
      assert.equal(normalizeEmulatorEndpoint(form), 'http://127.0.0.1:4443', form);
    }
    assert.equal(normalizeEmulatorEndpoint('https://gcs.test'), 'https://gcs.test');
    assert.equal(normalizeEmulatorEndpoint('localhost'), 'http://localhost');
  });

  it('refuses other paths, schemes and credentials, naming the setting', () => {
    for (const form of ['', 'http://h:1/other', 'ftp://h:1', 'http://user:pw@h:1', 'http://h:1?x=1', 'h:notaport']) {
      assert.throws(
        () => normalizeEmulatorEndpoint(form),
        (error: unknown) =>
          LlmDeployError.isInstance(error) && error.code === 'STORAGE_LOCATION_INVALID' && error.field === 'STORAGE_EMULATOR_HOST',
        form,
      );
    }
  });
});
