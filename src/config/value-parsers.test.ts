// The rules of settings that reach the Kubernetes manifests and the GKE API, through loadSettings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GOOD, loadDeploymentText, problemsOf } from './__fixtures__/deployment-text.js';
import { oneOf } from './value-parsers.js';

interface BadCase {
  readonly name: string;
  readonly text: string;
  readonly key: string;
  readonly line?: number;
  /** A phrase of the broken rule or of the expectation. */
  readonly expected: string;
}

const BAD: readonly BadCase[] = [
  { name: 'memory 0', text: `${GOOD}POD_MEMORY_LIMIT=0\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'at least 128Mi' },
  { name: 'memory 1e99', text: `${GOOD}POD_MEMORY_LIMIT=1e99\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'at most 64Ti' },
  { name: 'memory 1 byte', text: `${GOOD}POD_MEMORY_LIMIT=1\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'at least 128Mi' },
  { name: 'memory two dots', text: `${GOOD}POD_MEMORY_LIMIT=1.2.3Gi\n`, key: 'POD_MEMORY_LIMIT', line: 3, expected: 'Kubernetes quantity' },
  {
    name: 'memory below the 1Gi the server requests in FasterTransformer mode',
    text: `${GOOD}USE_FASTER_TRANSFORMER=true\nCONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/ft\nPOD_MEMORY_LIMIT=512Mi\n`,
    key: 'POD_MEMORY_LIMIT',
    line: 5,
    expected: 'at least 1Gi',
  },
  {
    name: 'image with upper-case path',
    text: `${GOOD}INFERENCING_IMAGE_URI=ghcr.io/Org/llm\n`,
    key: 'INFERENCING_IMAGE_URI',
    line: 3,
    expected: 'lower-case',
  },
  {
    name: 'image uri with a tag',
    text: `${GOOD}INFERENCING_IMAGE_URI=ghcr.io/org/llm:v1\n`,
    key: 'INFERENCING_IMAGE_URI',
    line: 3,
    expected: 'without tag',
  },
  {
    name: 'image uri with spaces',
    text: `${GOOD}INFERENCING_IMAGE_URI=my image\n`,
    key: 'INFERENCING_IMAGE_URI',
    line: 3,
    expected: 'image name',
  },
  {
    name: 'image tag with a space',
    text: `${GOOD}INFERENCING_IMAGE_TAG=v1 2\n`,
    key: 'INFERENCING_IMAGE_TAG',
    line: 3,
    expected: '[A-Za-z0-9_]',
  },
  {
    name: 'image tag starting with -',
    text: `${GOOD}INFERENCING_IMAGE_TAG=-rc\n`,
    key: 'INFERENCING_IMAGE_TAG',
    line: 3,
    expected: '128 characters',
  },
  {
    name: 'image tag too long',
    text: `${GOOD}INFERENCING_IMAGE_TAG=${'a'.repeat(129)}\n`,
    key: 'INFERENCING_IMAGE_TAG',
    line: 3,
    expected: '128 characters',
  },
  {
    name: 'triton image empty component',
    text: `${GOOD}TRITON_IMAGE=nvcr.io//triton:1\n`,
    key: 'TRITON_IMAGE',
    line: 3,
    expected: 'image reference',
  },
  {
    name: 'triton image short digest',
    text: `${GOOD}TRITON_IMAGE=nvcr.io/nvidia/tritonserver@sha256:abc\n`,
    key: 'TRITON_IMAGE',
    line: 3,
    expected: '64 hex',
  },
  {
    name: 'service account not a Google one',
    text: `${GOOD}GCP_SERVICE_ACCOUNT=llm@gmail.com\n`,
    key: 'GCP_SERVICE_ACCOUNT',
    line: 3,
    expected: 'NAME@PROJECT_ID.iam.gserviceaccount.com',
  },
  {
    name: 'service account name too short',
    text: `${GOOD}GCP_SERVICE_ACCOUNT=sa@my-project.iam.gserviceaccount.com\n`,
    key: 'GCP_SERVICE_ACCOUNT',
    line: 3,
    expected: '6-30',
  },
  {
    name: 'cluster id upper case',
    text: `${GOOD}EXISTING_CLUSTER_ID=Prod_1\nPROJECT_ID=my-project\n`,
    key: 'EXISTING_CLUSTER_ID',
    line: 3,
    expected: 'GKE cluster name',
  },
  {
    name: 'cluster id too long',
    text: `${GOOD}EXISTING_CLUSTER_ID=${'c'.repeat(41)}\nPROJECT_ID=my-project\n`,
    key: 'EXISTING_CLUSTER_ID',
    line: 3,
    expected: 'at most 40',
  },
  {
    name: 'cluster id starting with a digit',
    text: `${GOOD}EXISTING_CLUSTER_ID=1prod\nPROJECT_ID=my-project\n`,
    key: 'EXISTING_CLUSTER_ID',
    line: 3,
    expected: 'starting with a letter',
  },
  {
    name: 'name prefix too long for NAME_PREFIX-gke',
    text: `${GOOD}NAME_PREFIX=${'p'.repeat(37)}\n`,
    key: 'NAME_PREFIX',
    line: 3,
    expected: 'at most 36',
  },
  {
    name: 'project id ending with a hyphen',
    text: `${GOOD}PROJECT_ID=my-project-\n`,
    key: 'PROJECT_ID',
    line: 3,
    expected: 'GCP project id',
  },
  { name: 'project id with capitals', text: `${GOOD}PROJECT_ID=My-Project\n`, key: 'PROJECT_ID', line: 3, expected: 'GCP project id' },
  {
    name: 'accelerator type with a space',
    text: `${GOOD}ACCELERATOR_TYPE=NVIDIA L4\n`,
    key: 'ACCELERATOR_TYPE',
    line: 3,
    expected: 'GKE accelerator type',
  },
  {
    name: 'model name starting with a digit (Service names)',
    text: `${GOOD}MODEL_NAME=7b-chat\n`,
    key: 'MODEL_NAME',
    line: 3,
    expected: 'starting with a letter',
  },
  {
    name: 'model name too long for its Job name',
    text: `${GOOD}MODEL_NAME=${'m'.repeat(56)}\n`,
    key: 'MODEL_NAME',
    line: 3,
    expected: 'at most 55',
  },
];

describe('settings that reach manifests: values that cannot work are refused naming the rule', () => {
  for (const bad of BAD) {
    it(bad.name, () => {
      const error = problemsOf(bad.text);
      assert.equal(error.code, 'CONFIG_INVALID');
      const problem = error.problems.find((entry) => entry.key === bad.key);
      assert.ok(problem !== undefined, `${bad.key} not among the problems:\n${error.message}`);
      if (bad.line !== undefined) assert.equal(problem.line, bad.line, error.message);
      assert.ok(error.message.includes(bad.expected), `"${bad.expected}" not in:\n${error.message}`);
    });
  }
});

describe('settings that reach manifests: values that work pass', () => {
  it('accepts the values the manifests and the GKE API take', () => {
    const { settings } = loadDeploymentText(
      `${GOOD}POD_MEMORY_LIMIT=1e10\nINFERENCING_IMAGE_URI=localhost:5000/team/llm-deploy\nINFERENCING_IMAGE_TAG=v1.2_rc-3\n` +
        `TRITON_IMAGE=nvcr.io/nvidia/tritonserver@sha256:${'a'.repeat(64)}\nEXISTING_CLUSTER_ID=prod-1\nPROJECT_ID=my-project-42\nSERVING_BACKEND=native\n` +
        `GCP_SERVICE_ACCOUNT=123456789012-compute@developer.gserviceaccount.com\nACCELERATOR_TYPE=nvidia-tesla-a100\n`,
    );
    assert.equal(settings.podMemoryLimit, '1e10');
    assert.equal(settings.inferencingImageUri, 'localhost:5000/team/llm-deploy');
    assert.equal(settings.existingClusterId, 'prod-1');
    assert.equal(settings.gcpServiceAccount, '123456789012-compute@developer.gserviceaccount.com');
    for (const memory of ['16Gi', '512Mi', '8G', '0.5Ti', '134217728', '135e6']) {
      assert.equal(loadDeploymentText(`${GOOD}POD_MEMORY_LIMIT=${memory}\n`).settings.podMemoryLimit, memory);
    }
  });

  it('derives a Service-safe model name from a source whose last segment starts with a digit', () => {
    assert.equal(loadDeploymentText('GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://my-bucket/7b\n').settings.modelName, 'model-7b');
  });
});

describe('oneOf with older names', () => {
  const backend = oneOf(['native', 'fastertransformer'], { triton: 'fastertransformer' });

  it('reads an older word as the word it stands for, offers it as a choice, and refuses any other word', () => {
    assert.equal(backend.schema.parse('triton'), 'fastertransformer');
    assert.equal(backend.schema.parse('native'), 'native');
    assert.deepEqual(backend.choices, ['native', 'fastertransformer', 'triton']);
    for (const word of ['tgi', 'Triton', 'toString', '']) {
      const parsed = backend.schema.safeParse(word);
      assert.equal(parsed.success, false, word);
      assert.equal(parsed.error?.issues[0]?.message, backend.expected);
    }
    assert.equal(backend.expected, 'one of native, fastertransformer (triton: the older name of fastertransformer)');
  });
});
