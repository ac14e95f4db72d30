import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { deflatedZeros, stateDictPickle, writeZip } from './__fixtures__/torch-checkpoint.js';
import { writeRawSafetensors } from './__fixtures__/raw-safetensors.js';
import { readGenerationConfig } from './generation-config.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { readT5Config } from './t5-config.js';
import { readTorchBinFile } from './torch-bin-file.js';
import { openWeights } from './weight-store.js';
import { rejectsWith } from './__fixtures__/rejects-with.js';

// Hostile model directories: each case must end in a MODEL_ error quickly, without hanging or allocating
// what the file claims. Inputs are built here; nothing large is committed.
const fixture = new URL('../../test/fixtures/t5-tiny-relu/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-hostile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

function modelDir(files: readonly string[] = ['config.json']): string {
  const dir = join(scratch, `case-${(counter += 1)}`);
  mkdirSync(dir);
  for (const name of files) copyFileSync(join(fixture, name), join(dir, name));
  return dir;
}

const moduleUrl = (name: string): string => new URL(`./${name}`, import.meta.url).href;

// Runs `body` in a child process, so a blocking open (which stalls this process's event loop) fails the test instead of hanging it.
function isolated(body: string, timeoutMs = 30_000): Promise<{ stdout: string; timedOut: boolean }> {
  const script = join(scratch, `script-${(counter += 1)}.mts`);
  writeFileSync(script, body);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout) => {
      resolve({ stdout, timedOut: error?.killed === true });
    });
  });
}

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

describe('model files that are not regular files', () => {
  it('a FIFO as config.json fails instead of waiting for a writer', { timeout: 20_000 }, async () => {
    const dir = modelDir([]);
    const file = fifo(join(dir, 'config.json'));
    await assert.rejects(readT5Config(dir), rejectsWith('MODEL_FILE_NOT_REGULAR', { file, given: /FIFO/ }));
  });

  it('a FIFO as model.safetensors or pytorch_model.bin fails instead of blocking the process', { timeout: 120_000 }, async () => {
    for (const name of ['model.safetensors', 'pytorch_model.bin']) {
      const dir = modelDir();
      fifo(join(dir, name));
      const result = await isolated(
        `import { openWeights } from ${JSON.stringify(moduleUrl('weight-store.js'))};
         import { readT5Config } from ${JSON.stringify(moduleUrl('t5-config.js'))};
         const dir = ${JSON.stringify(dir)};
         try { await openWeights(dir, await readT5Config(dir)); console.log('opened'); }
         catch (error) { console.log(JSON.stringify({ code: error.code, given: error.given })); }`,
      );
      assert.equal(result.timedOut, false, `${name}: opening a FIFO blocked`);
      assert.deepEqual(JSON.parse(result.stdout), { code: 'MODEL_FILE_NOT_REGULAR', given: 'a FIFO' }, name);
    }
  });

  it('a character device or a directory as config.json, and a dangling symlink, are refused by name', { timeout: 20_000 }, async () => {
    const device = modelDir([]);
    symlinkSync('/dev/urandom', join(device, 'config.json'));
    await assert.rejects(readT5Config(device), rejectsWith('MODEL_FILE_NOT_REGULAR', { given: /character device/ }));
    const folder = modelDir([]);
    mkdirSync(join(folder, 'config.json'));
    await assert.rejects(readT5Config(folder), rejectsWith('MODEL_FILE_NOT_REGULAR', { given: /directory/ }));
    const dangling = modelDir([]);
    symlinkSync(join(scratch, 'no-such-blob'), join(dangling, 'generation_config.json'));
    await assert.rejects(
      readGenerationConfig(dangling, await readT5Config(fixture)),
      rejectsWith('MODEL_FILE_NOT_REGULAR', { given: /dangling symlink/ }),
    );
  });

  it('a dangling model.safetensors is named, not skipped in favour of pytorch_model.bin', async () => {
    const dir = modelDir(['config.json', 'pytorch_model.bin']);
    const file = join(dir, 'model.safetensors');
    symlinkSync(join(scratch, 'no-such-blob'), file);
    await assert.rejects(openWeights(dir, await readT5Config(dir)), rejectsWith('MODEL_FILE_NOT_REGULAR', { file, given: /dangling/ }));
  });

  it('follows symlinks into a Hugging Face cache blobs folder outside the model directory', async () => {
    const repo = join(scratch, `models--org--t5-${(counter += 1)}`);
    const snapshot = join(repo, 'snapshots', 'abc123');
    mkdirSync(join(repo, 'blobs'), { recursive: true });
    mkdirSync(snapshot, { recursive: true });
    for (const [name, blob] of [
      ['config.json', 'c0nf'],
      ['model.safetensors', '5afe'],
    ] as const) {
      copyFileSync(join(fixture, name), join(repo, 'blobs', blob));
      symlinkSync(join('..', '..', 'blobs', blob), join(snapshot, name));
    }
    const store = await openWeights(snapshot, await readT5Config(snapshot));
    assert.ok(store.read('shared.weight').length > 0);
    store.close();
  });

  it('refuses a config.json larger than the cap before reading it', async () => {
    const dir = modelDir([]);
    writeFileSync(join(dir, 'config.json'), `{"model_type": "t5"${' '.repeat(17 * 1024 * 1024)}}`);
    await assert.rejects(readT5Config(dir), rejectsWith('MODEL_FILE_TOO_LARGE', { given: /bytes/ }));
  });
});

describe('deeply nested JSON in model files', () => {
  const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('config.json nested 100k deep fails naming the file, not with a stack overflow', async () => {
    for (const text of [`{"model_type": "t5", "vocab_size": ${deep(100_000)}}`, `{"model_type": "t5", "extra": ${deep(100_000)}}`]) {
      const dir = modelDir([]);
      writeFileSync(join(dir, 'config.json'), text);
      await assert.rejects(readT5Config(dir), rejectsWith('MODEL_CONFIG_INVALID', { file: join(dir, 'config.json'), given: /levels/ }));
    }
  });

  it('a safetensors header nested 100k deep fails naming the file', () => {
    const file = join(scratch, `deep-${(counter += 1)}.safetensors`);
    writeRawSafetensors(file, `{"a": ${deep(100_000)}}`, new Uint8Array(0));
    assert.throws(() => readSafetensorsFile(file), rejectsWith('MODEL_WEIGHTS_INVALID', { file, given: /levels/ }));
  });

  it('a megabyte-long tensor name is cut in the error, not pasted whole', () => {
    const file = join(scratch, `long-name-${(counter += 1)}.safetensors`);
    writeRawSafetensors(file, { ['w'.repeat(1_000_000)]: { dtype: 'F32', shape: [1] } }, new Uint8Array(0));
    assert.throws(
      () => readSafetensorsFile(file),
      (error: unknown) => {
        assert.ok(LlmDeployError.isInstance(error) && error.code === 'MODEL_WEIGHTS_INVALID');
        assert.ok((error.field ?? '').length <= 200 && error.message.length < 1000, `${error.message.length} characters`);
        return true;
      },
    );
  });

  it('a wrong value that is huge or deep is rendered in a bounded message', async () => {
    const dir = modelDir([]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 't5', d_model: [[['x'.repeat(1_000_000)]]] }));
    await assert.rejects(readT5Config(dir), (error: unknown) => {
      assert.ok(LlmDeployError.isInstance(error));
      assert.equal(error.field, 'd_model');
      assert.ok((error.given ?? '').length <= 80, error.given);
      return true;
    });
  });
});

describe('config.json against the weights', () => {
  it('num_layers far above the blocks present fails at once, naming the field and what the weights hold', { timeout: 20_000 }, async () => {
    const dir = modelDir(['config.json', 'model.safetensors']);
    const config = { ...(await readT5Config(dir)), numLayers: 200_000 };
    await assert.rejects(
      openWeights(dir, config),
      rejectsWith('MODEL_CONFIG_INVALID', { file: join(dir, 'config.json'), field: 'num_layers', given: /^200000$/ }),
    );
  });

  it('a vocab_size or d_model the embeddings do not have names that field', async () => {
    const dir = modelDir(['config.json', 'model.safetensors']);
    const config = await readT5Config(dir);
    await assert.rejects(
      openWeights(dir, { ...config, vocabSize: 1_000_000_000 }),
      rejectsWith('MODEL_CONFIG_INVALID', { field: 'vocab_size' }),
    );
    await assert.rejects(openWeights(dir, { ...config, dModel: 1_000_000_000 }), rejectsWith('MODEL_CONFIG_INVALID', { field: 'd_model' }));
  });
});

describe('zip bombs as pytorch_model.bin', () => {
  it('a deflated storage that claims 1 GiB for a 4-element tensor is refused before inflating', async () => {
    const file = join(scratch, `bomb-${(counter += 1)}.bin`);
    const elements = 256 * 1024 * 1024;
    const pickle = stateDictPickle([{ name: 'w', key: '0', storageElements: elements, shape: [4], strides: [1] }]);
    writeZip(file, [
      { name: 'archive/data.pkl', data: pickle },
      { name: 'archive/data/0', data: new Uint8Array(0), deflated: { bytes: deflatedZeros(1024), size: elements * 4 } },
    ]);
    await assert.rejects(readTorchBinFile(file), rejectsWith('MODEL_WEIGHTS_INVALID', { field: 'w', given: /1073741824 bytes/ }));
  });

  it('a data.pkl that claims 512 MiB is refused before inflating', async () => {
    const file = join(scratch, `bomb-${(counter += 1)}.bin`);
    writeZip(file, [
      { name: 'archive/data.pkl', data: new Uint8Array(0), deflated: { bytes: deflatedZeros(512), size: 512 * 1024 * 1024 } },
    ]);
    await assert.rejects(
      readTorchBinFile(file),
      rejectsWith('MODEL_WEIGHTS_INVALID', { field: 'archive/data.pkl', given: /536870912 bytes/ }),
    );
  });
});
