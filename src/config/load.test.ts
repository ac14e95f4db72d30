import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GOOD, loadDeploymentText, problemsOf } from './__fixtures__/deployment-text.js';
import { parseEnvFile } from './env-file.js';
import { ConfigInvalidError } from './config-error.js';
import { loadSettings } from './load.js';

interface BadCase {
  readonly name: string;
  readonly text: string;
  readonly env?: Record<string, string>;
  /** Key, line and a phrase of the expectation that must all appear in the message. */
  readonly key: string;
  readonly line?: number;
  readonly expected: string;
}

const BAD: readonly BadCase[] = [
  { name: 'GPU count missing', text: 'MODEL_SOURCE_PATH=gs://my-bucket/m\n', key: 'GPU_COUNT_PER_MODEL', expected: 'required' },
  { name: 'model source missing', text: 'GPU_COUNT_PER_MODEL=1\n', key: 'MODEL_SOURCE_PATH', expected: 'required' },
  {
    name: 'model source empty',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'required',
  },
  {
    name: 'GPU count zero',
    text: 'GPU_COUNT_PER_MODEL=0\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer from 1 to 64',
  },
  {
    name: 'GPU count negative',
    text: 'GPU_COUNT_PER_MODEL=-2\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer from 1',
  },
  {
    name: 'GPU count fractional',
    text: 'GPU_COUNT_PER_MODEL=1.5\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer',
  },
  {
    name: 'GPU count word',
    text: 'GPU_COUNT_PER_MODEL=two\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer',
  },
  {
    name: 'GPU count with spaces',
    text: 'GPU_COUNT_PER_MODEL= 1\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer',
  },
  {
    name: 'GPU count too large',
    text: 'GPU_COUNT_PER_MODEL=1000\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'to 64',
  },
  {
    name: 'bad boolean',
    text: `${GOOD}USE_FASTER_TRANSFORMER=maybe\n`,
    key: 'USE_FASTER_TRANSFORMER',
    line: 3,
    expected: 'true, false, 1, 0, yes or no',
  },
  {
    name: 'quoted boolean (no quote stripping)',
    text: `${GOOD}USE_FASTER_TRANSFORMER="true"\n`,
    key: 'USE_FASTER_TRANSFORMER',
    line: 3,
    expected: 'true, false',
  },
  {
    name: 'FT on without upload path',
    text: `${GOOD}USE_FASTER_TRANSFORMER=yes\n`,
    key: 'CONVERTED_MODEL_UPLOAD_PATH',
    expected: 'converted model',
  },
  {
    name: 'FT on with empty upload path',
    text: `${GOOD}USE_FASTER_TRANSFORMER=TRUE\nCONVERTED_MODEL_UPLOAD_PATH=\n`,
    key: 'CONVERTED_MODEL_UPLOAD_PATH',
    line: 4,
    expected: 'converted model',
  },
  { name: 'memory 16GB', text: `${GOOD}POD_MEMORY_LIMIT=16GB\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'Kubernetes quantity' },
  { name: 'memory -1Gi', text: `${GOOD}POD_MEMORY_LIMIT=-1Gi\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'Kubernetes quantity' },
  { name: 'memory words', text: `${GOOD}POD_MEMORY_LIMIT=lots\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'Kubernetes quantity' },
  {
    name: 'memory lowercase gi',
    text: `${GOOD}POD_MEMORY_LIMIT=16gi\n`,
    key: 'POD_MEMORY_LIMIT',
    line: 3,
    expected: 'Kubernetes quantity',
  },
  { name: 'model name upper case', text: `${GOOD}MODEL_NAME=Flan_T5\n`, key: 'MODEL_NAME', line: 3, expected: 'DNS-1035 label' },
  { name: 'model name too long', text: `${GOOD}MODEL_NAME=${'a'.repeat(64)}\n`, key: 'MODEL_NAME', line: 3, expected: 'DNS-1035 label' },
  { name: 'model name trailing dash', text: `${GOOD}MODEL_NAME=flan-\n`, key: 'MODEL_NAME', line: 3, expected: 'DNS-1035 label' },
  {
    name: 'model name underivable',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://my-bucket/___\n',
    key: 'MODEL_NAME',
    expected: 'DNS-1035 label',
  },
  { name: 'key with whitespace', text: `${GOOD}MODEL NAME=x\n`, key: 'MODEL NAME', line: 3, expected: 'without whitespace' },
  { name: 'key with tab', text: `${GOOD}KSA\tNAME=x\n`, key: 'KSA\tNAME', line: 3, expected: 'without whitespace' },
  { name: 'empty key', text: `${GOOD}=value\n`, key: '(empty key)', line: 3, expected: 'a variable name' },
  {
    name: 'bad gs uri',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://B\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'gs://bucket/path',
  },
  {
    name: 'unsupported scheme',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=s3://bucket/model\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'gs://bucket/path',
  },
  {
    name: 'one-character bucket says why, not "local directory path"',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://b/model\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'bucket name "b" has 1 character',
  },
  {
    name: 'FUSE form with a bad bucket is read as gs://',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=/gcs/My_Bucket/model\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'taken as gs://My_Bucket/model',
  },
  {
    name: 'an hf:// source with a bad repo id says it was taken as a Hub source',
    text: 'GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=hf://google/flan--t5\n',
    key: 'MODEL_SOURCE_PATH',
    line: 2,
    expected: 'taken as a Hugging Face Hub source: repo id "google/flan--t5"',
  },
  { name: 'bad port', text: `${GOOD}PORT=70000\n`, key: 'PORT', line: 3, expected: 'an integer from 0 to 65535' },
  { name: 'bad AIP port', text: `${GOOD}AIP_HTTP_PORT=http\n`, key: 'AIP_HTTP_PORT', line: 3, expected: 'an integer' },
  { name: 'bad zone', text: `${GOOD}ZONE=central\n`, key: 'ZONE', line: 3, expected: 'GCP zone' },
  { name: 'bad health route', text: `${GOOD}AIP_HEALTH_ROUTE=health\n`, key: 'AIP_HEALTH_ROUTE', line: 3, expected: 'starting with "/"' },
  { name: 'bad backend', text: `${GOOD}SERVING_BACKEND=tgi\n`, key: 'SERVING_BACKEND', line: 3, expected: 'one of native, tensorrt-llm' },
  { name: 'bad backend, older name', text: `${GOOD}BACKEND=tgi\n`, key: 'SERVING_BACKEND', line: 3, expected: 'fastertransformer' },
  { name: 'bad triton url', text: `${GOOD}TRITON_URL=localhost:8000\n`, key: 'TRITON_URL', line: 3, expected: 'http://' },
  { name: 'bad quantize', text: `${GOOD}QUANTIZE=int4\n`, key: 'QUANTIZE', line: 3, expected: 'none, int8' },
  { name: 'bad target', text: `${GOOD}DEPLOY_TARGET=aws\n`, key: 'DEPLOY_TARGET', line: 3, expected: 'local, gke' },
  { name: 'gke target without project', text: `${GOOD}EXISTING_CLUSTER_ID=prod\n`, key: 'PROJECT_ID', expected: 'GCP project' },
  { name: 'bad KSA name', text: `${GOOD}KSA_NAME=My_SA\n`, key: 'KSA_NAME', line: 3, expected: 'DNS-1123' },
  {
    name: 'bare key absent from environment (required)',
    text: 'GPU_COUNT_PER_MODEL\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'set in the environment',
  },
  {
    name: 'bare key with a bad value from the environment',
    text: 'GPU_COUNT_PER_MODEL\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    env: { GPU_COUNT_PER_MODEL: 'x' },
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer',
  },
  {
    name: 'CRLF with bad value',
    text: 'GPU_COUNT_PER_MODEL=1\r\nMODEL_SOURCE_PATH=gs://my-bucket/m\r\nREPLICAS=0\r\n',
    key: 'REPLICAS',
    line: 3,
    expected: 'an integer from 1',
  },
  {
    name: 'BOM then bad value',
    text: '\uFEFFGPU_COUNT_PER_MODEL=x\nMODEL_SOURCE_PATH=gs://my-bucket/m\n',
    key: 'GPU_COUNT_PER_MODEL',
    line: 1,
    expected: 'an integer',
  },
  {
    name: 'duplicate where the later value is bad',
    text: `${GOOD}GPU_COUNT_PER_MODEL=0\n`,
    key: 'GPU_COUNT_PER_MODEL',
    line: 3,
    expected: 'an integer from 1',
  },
];

describe('settings: bad inputs are reported with key, line and expectation', () => {
  for (const bad of BAD) {
    it(bad.name, () => {
      const error = problemsOf(bad.text, bad.env);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.httpStatus, 400);
      assert.ok(error.message.includes(bad.key), `key ${bad.key} not in:\n${error.message}`);
      if (bad.line !== undefined) assert.ok(error.message.includes(`spec.env:${bad.line}`), `line ${bad.line} not in:\n${error.message}`);
      assert.ok(error.message.includes(bad.expected), `"${bad.expected}" not in:\n${error.message}`);
    });
  }

  it('reports every problem at once', () => {
    const error = problemsOf('GPU_COUNT_PER_MODEL=0\nPOD_MEMORY_LIMIT=16GB\nUSE_FASTER_TRANSFORMER=maybe\nbad key=1\n');
    const keys = error.problems.map((problem) => problem.key).sort();
    assert.deepEqual(keys, ['GPU_COUNT_PER_MODEL', 'MODEL_SOURCE_PATH', 'POD_MEMORY_LIMIT', 'USE_FASTER_TRANSFORMER', 'bad key']);
  });
});

describe('settings: good inputs', () => {
  it('applies every default', () => {
    const { settings } = loadDeploymentText(GOOD);
    assert.equal(settings.gpuCountPerModel, 1);
    assert.equal(settings.modelSource, 'gs://my-bucket/models/flan-t5-base');
    assert.equal(settings.modelSource, 'gs://my-bucket/models/flan-t5-base');
    assert.equal(settings.modelName, 'flan-t5-base');
    assert.equal(settings.ksaName, 'aiinfra-gke-sa');
    assert.equal(settings.inferencingImageTag, 'release');
    assert.equal(settings.useFasterTransformer, false);
    assert.equal(settings.convertedModelUploadPath, undefined);
    assert.equal(settings.podMemoryLimit, '16Gi');
    assert.equal(settings.existingClusterId, undefined);
    assert.equal(settings.deployTarget, 'local');
    assert.equal(settings.host, '0.0.0.0');
    assert.equal(settings.port, 5001);
    assert.equal(settings.servingBackend, 'native');
    assert.equal(settings.maxBodyBytes, 1572864);
    assert.equal(settings.inputTruncation, 'reject');
    assert.equal(settings.quantize, 'none');
    assert.ok(Object.isFrozen(settings));
  });

  it('runtime mode needs no deployment keys and defaults the port to 5000', () => {
    const { settings } = loadSettings({ mode: 'runtime', env: {} });
    assert.equal(settings.port, 5000);
    assert.equal(settings.modelSource, undefined);
  });

  it('the file wins over the environment; flags win over both', () => {
    const env = { PORT: '7000', HOST: '10.0.0.1' };
    const envFile = parseEnvFile(`${GOOD}PORT=7001\n`, { file: 'spec.env', env });
    const loaded = loadSettings({ mode: 'deployment', env, envFile });
    assert.equal(loaded.settings.port, 7001);
    assert.equal(loaded.settings.host, '10.0.0.1');
    const flagged = loadSettings({ mode: 'deployment', env, envFile, flags: { PORT: { value: '7002', flag: '--port' } } });
    assert.equal(flagged.settings.port, 7002);
    assert.deepEqual(flagged.sources.get('PORT')?.source, { kind: 'flag', flag: '--port' });
  });

  it('port: AIP_HTTP_PORT > PORT; model: AIP_STORAGE_URI > MODEL_SOURCE_PATH', () => {
    const { settings } = loadSettings({
      mode: 'runtime',
      env: { PORT: '7000', AIP_HTTP_PORT: '8080', MODEL_SOURCE_PATH: '/models/a', AIP_STORAGE_URI: 'gs://vertex-bucket/b' },
    });
    assert.equal(settings.port, 8080);
    assert.equal(settings.modelSource, 'gs://vertex-bucket/b');
  });

  it('accepts CRLF, a BOM, comments, blank lines and booleans in any case', () => {
    const { settings } = loadDeploymentText(
      '\uFEFF# spec\r\n\r\nGPU_COUNT_PER_MODEL=4\r\nMODEL_SOURCE_PATH=/models/My Model\r\nUSE_FASTER_TRANSFORMER=Yes\r\nCONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft\r\n',
    );
    assert.equal(settings.gpuCountPerModel, 4);
    assert.equal(settings.modelSource, '/models/My Model');
    assert.equal(settings.modelName, 'my-model');
    assert.equal(settings.useFasterTransformer, true);
  });

  it('a bare KEY takes its value from the environment', () => {
    const { settings, sources } = loadDeploymentText('GPU_COUNT_PER_MODEL\nMODEL_SOURCE_PATH=gs://my-bucket/m\n', {
      GPU_COUNT_PER_MODEL: '2',
    });
    assert.equal(settings.gpuCountPerModel, 2);
    assert.deepEqual(sources.get('GPU_COUNT_PER_MODEL')?.source, { kind: 'file', file: 'spec.env', line: 1 });
  });

  it('keeps quotes and trailing spaces in values as Docker does', () => {
    const { settings } = loadDeploymentText(`${GOOD}API_KEY="prod" \n`);
    assert.equal(settings.apiKey, '"prod" ');
  });

  it('warns on unknown keys with the closest known key, and on duplicates naming both lines', () => {
    const { warnings, settings } = loadDeploymentText(`${GOOD}MODEL_NAEM=x\nGPU_COUNT_PER_MODEL=2\n`);
    assert.ok(warnings.some((warning) => warning.includes('MODEL_NAEM') && warning.includes('did you mean MODEL_NAME')));
    assert.ok(warnings.some((warning) => warning.includes('line 4 overrides line 1')));
    assert.equal(settings.gpuCountPerModel, 2);
  });

  it('derives the region from the zone and the target, but no Google service account (direct grants need none)', () => {
    const { settings } = loadDeploymentText(`${GOOD}PROJECT_ID=my-project\nZONE=europe-west4-b\nSERVING_BACKEND=native\n`);
    assert.equal(settings.region, 'europe-west4');
    assert.equal(settings.deployTarget, 'gke');
    assert.equal(settings.port, 5000);
    assert.equal(settings.gcpServiceAccount, undefined);
  });

  it('notes that the GPU count is ignored on the local target', () => {
    const { warnings } = loadDeploymentText(GOOD);
    assert.ok(warnings.some((warning) => warning.startsWith('note:') && warning.includes('GPU_COUNT_PER_MODEL')));
  });
});

describe('GPU_NUMBER, the older name of GPU_COUNT_PER_MODEL', () => {
  it('is read as GPU_COUNT_PER_MODEL with a note (file or environment)', () => {
    const envFile = parseEnvFile('GPU_NUMBER=2\nMODEL_SOURCE_PATH=gs://my-bucket/m\n', { file: 'seed.env', env: {} });
    const loaded = loadSettings({ mode: 'deployment', env: {}, envFile });
    assert.equal(loaded.settings.gpuCountPerModel, 2);
    assert.deepEqual(loaded.sources.get('GPU_COUNT_PER_MODEL')?.source, { kind: 'file', file: 'seed.env', line: 1 });
    assert.ok(loaded.warnings.some((warning) => /GPU_NUMBER.*GPU_COUNT_PER_MODEL/.test(warning) && warning.startsWith('note:')));
    assert.ok(!loaded.warnings.some((warning) => warning.includes('unknown key')), loaded.warnings.join('\n'));
    const fromEnv = loadSettings({ mode: 'deployment', env: { GPU_NUMBER: '3', MODEL_SOURCE_PATH: 'gs://my-bucket/m' } });
    assert.equal(fromEnv.settings.gpuCountPerModel, 3);
  });

  it('both given and different is an error naming both; the same value is fine', () => {
    const env = { GPU_NUMBER: '2', GPU_COUNT_PER_MODEL: '1', MODEL_SOURCE_PATH: 'gs://my-bucket/m' };
    assert.throws(
      () => loadSettings({ mode: 'deployment', env }),
      (error: unknown) =>
        error instanceof ConfigInvalidError && /GPU_NUMBER/.test(error.message) && /GPU_COUNT_PER_MODEL/.test(error.message),
    );
    assert.equal(loadSettings({ mode: 'deployment', env: { ...env, GPU_NUMBER: '1' } }).settings.gpuCountPerModel, 1);
  });
});

describe('settings: the GPUs of a created cluster', () => {
  const GKE = `${GOOD}PROJECT_ID=my-project\nSERVING_BACKEND=native\n`;

  it('refuses GPU_COUNT_PER_MODEL above GPU_COUNT, naming both', () => {
    const error = problemsOf(`${GKE}GPU_COUNT_PER_MODEL=2\n`);
    assert.deepEqual(
      error.problems.map((problem) => problem.key),
      ['GPU_COUNT_PER_MODEL'],
    );
    assert.match(error.message, /spec\.env:5: GPU_COUNT_PER_MODEL: .*GPU_COUNT_PER_MODEL=2 is larger than GPU_COUNT=1/);
  });

  it('refuses a GPU_COUNT the VM_TYPE cannot carry, naming both', () => {
    for (const [vmType, count, carried] of [
      ['g2-standard-8', '2', '1'],
      ['a2-highgpu-4g', '8', '4'],
      ['a3-highgpu-8g', '4', '8'],
      ['g2-standard-48', '8', '4'],
    ] as const) {
      const error = problemsOf(`${GKE}VM_TYPE=${vmType}\nGPU_COUNT=${count}\n`);
      assert.deepEqual(
        error.problems.map((problem) => problem.key),
        ['GPU_COUNT'],
      );
      assert.ok(error.message.includes(`spec.env:6: GPU_COUNT: VM_TYPE=${vmType} carries ${carried} GPU`), error.message);
    }
  });

  it('accepts a fitting spec; an unknown machine type passes with a note', () => {
    const fitting = loadDeploymentText(`${GKE}GPU_COUNT_PER_MODEL=4\nVM_TYPE=a2-highgpu-8g\nGPU_COUNT=8\n`);
    assert.equal(fitting.settings.gpuCount, 8);
    assert.ok(!fitting.warnings.some((note) => note.includes('VM_TYPE')));
    const unknown = loadDeploymentText(`${GKE}VM_TYPE=n1-standard-16\nGPU_COUNT=4\n`);
    assert.ok(
      unknown.warnings.some((note) => note.includes('not checked against VM_TYPE=n1-standard-16')),
      unknown.warnings.join('\n'),
    );
  });

  it('an existing cluster is not described by GPU_COUNT or VM_TYPE: nothing is checked', () => {
    const { settings } = loadDeploymentText(`${GKE}EXISTING_CLUSTER_ID=prod\nGPU_COUNT_PER_MODEL=8\nVM_TYPE=g2-standard-8\n`);
    assert.equal(settings.gpuCountPerModel, 8);
  });
});

describe('settings: model sources', () => {
  it('a bad source is never described as a local directory path', () => {
    for (const source of ['gs://b/model', 'hf://google/flan--t5']) {
      const error = problemsOf(`GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=${source}\n`);
      assert.ok(!error.message.includes('local directory path'), error.message);
    }
  });

  it('accepts the Vertex FUSE form /gcs/bucket/path', () => {
    const { settings } = loadDeploymentText('GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=/gcs/my-bucket/models/t5\n');
    assert.equal(settings.modelSource, '/gcs/my-bucket/models/t5');
    assert.equal(settings.modelName, 't5');
  });
});
