import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIni, weightDtypeOf } from './config-ini-reader.js';

describe('config.ini reader', () => {
  it('reads configparser output and the weight dtype', () => {
    const sections = parseIni('[encoder]\nd_model = 64\nweight_data_type = fp16\n\n[structure]\nuse_gated_activation = 1\n');
    assert.equal(sections.get('encoder')?.get('d_model'), '64');
    assert.equal(sections.get('structure')?.get('use_gated_activation'), '1');
    assert.equal(weightDtypeOf(sections, 'config.ini'), 'fp16');
    assert.equal(weightDtypeOf(parseIni('[encoder]\n'), 'config.ini'), 'fp32');
    assert.throws(() => weightDtypeOf(parseIni('[encoder]\nweight_data_type = int8\n'), 'config.ini'), { code: 'MODEL_DTYPE_UNSUPPORTED' });
  });
});
