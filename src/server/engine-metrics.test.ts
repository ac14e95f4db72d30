import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefixEngineMetrics } from './engine-metrics.js';

describe('prefixEngineMetrics', () => {
  it('prefixes samples and their HELP/TYPE lines; drops other comments and garbage', () => {
    const text = [
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      'vllm:num_requests_running{model_name="m"} 2.0',
      '# EOF',
      '<html>oops</html>',
      '',
    ].join('\n');
    assert.equal(
      prefixEngineMetrics(text),
      [
        '# HELP engine_vllm:num_requests_running Number of requests in model execution batches.',
        '# TYPE engine_vllm:num_requests_running gauge',
        'engine_vllm:num_requests_running{model_name="m"} 2.0',
        '',
      ].join('\n'),
    );
    assert.equal(prefixEngineMetrics('[{"iter": 1}]'), '');
  });
});
