// serve's flags are the settings rows with a flag: each appears in --help with its choices, and maps to its row.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serveSettingsFromFlags } from '../../src/cli/commands/serve.js';
import { SETTINGS } from '../../src/config/index.js';
import { runCli } from './run-cli.js';

const FLAGGED = SETTINGS.filter((setting) => setting.flag !== undefined && setting.readers.includes('serve'));

describe('serve flags from the settings table', () => {
  it('--help lists every row with a flag, its choices and its default', async () => {
    const run = await runCli(['serve', '--help']);
    assert.equal(run.code, 0, run.stderr);
    const help = run.stdout.replace(/\s+/g, ' ');
    assert.ok(FLAGGED.length >= 18, `${FLAGGED.length} flags`);
    for (const setting of FLAGGED) {
      const [name] = (setting.flag ?? '').split(' ');
      assert.ok(help.includes(`${name} `), `${name} missing from serve --help`);
      for (const choice of setting.parser.choices ?? []) assert.ok(help.includes(`"${choice}"`), `${name}: choice ${choice}`);
      if (setting.flagHelp === undefined && setting.defaultValue !== undefined) {
        assert.ok(help.includes(`${setting.key}; default ${setting.defaultValue}`), `${name}: default`);
      }
    }
  });

  it('each flag sets its row and wins over the environment', () => {
    const env = { MAX_QUEUE: '7', ENGINE_THREADS: '3', LOG_LEVEL: 'warn' };
    const fromEnv = serveSettingsFromFlags({}, env);
    assert.equal(fromEnv.engine.maxQueue, 7);
    assert.equal(fromEnv.logLevel, 'warn');
    const fromFlags = serveSettingsFromFlags({ maxQueue: '8', threads: '2', logLevel: 'debug', maxConcurrentRequests: '5' }, env);
    assert.equal(fromFlags.engine.maxQueue, 8);
    assert.equal(fromFlags.engine.threads, 2);
    assert.equal(fromFlags.logLevel, 'debug');
    assert.equal(fromFlags.server.maxConcurrentRequests, 5);
  });

  it('--backend-url names the engine; --triton-url stays the Triton alias; an engine defaults to the pod port 8000', () => {
    const vllm = serveSettingsFromFlags({ backend: 'vllm', backendUrl: 'http://10.0.0.2:9000' }, {});
    assert.deepEqual([vllm.backend, vllm.backendUrl, vllm.server.tritonUrl], ['vllm', 'http://10.0.0.2:9000', undefined]);
    assert.equal(serveSettingsFromFlags({}, { SERVING_BACKEND: 'tensorrt-llm' }).backendUrl, 'http://127.0.0.1:8000');
    const triton = serveSettingsFromFlags({ backend: 'fastertransformer', tritonUrl: 'http://10.0.0.3:8000' }, {});
    assert.deepEqual(
      [triton.backend, triton.server.tritonUrl, triton.backendUrl],
      ['fastertransformer', 'http://10.0.0.3:8000', undefined],
    );
    assert.equal(
      serveSettingsFromFlags({ backend: 'fastertransformer', backendUrl: 'http://10.0.0.4:8000' }, {}).server.tritonUrl,
      'http://10.0.0.4:8000',
    );
  });

  it('--backend triton and BACKEND (older names) still select Triton with FasterTransformer; BACKEND says so', () => {
    const alias = serveSettingsFromFlags({ backend: 'triton', tritonUrl: 'http://10.0.0.5:8000' }, {});
    assert.deepEqual([alias.backend, alias.server.tritonUrl], ['fastertransformer', 'http://10.0.0.5:8000']);
    const older = serveSettingsFromFlags({}, { BACKEND: 'triton' });
    assert.equal(older.backend, 'fastertransformer');
    assert.ok(
      older.warnings.some((note) => note.startsWith('note: BACKEND=triton is read as SERVING_BACKEND')),
      older.warnings.join('\n'),
    );
  });
});
