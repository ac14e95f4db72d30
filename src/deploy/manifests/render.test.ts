import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../config/index.js';
import { find, get, render, VALIDATORS } from './__fixtures__/manifest-checks.js';
import { manifestsToYaml } from './render.js';
import type { KubeObject } from './types.js';

describe('rendered manifests', () => {
  for (const fasterTransformer of [false, true]) {
    for (const existingCluster of [false, true]) {
      for (const gpus of [1, 4, 8]) {
        const name = `FT ${fasterTransformer ? 'on' : 'off'}, ${existingCluster ? 'existing cluster' : 'new cluster'}, ${gpus} GPU(s)`;
        it(`${name}: valid against the Kubernetes schemas and field by field`, () => {
          const objects = render([
            `GPU_COUNT_PER_MODEL=${gpus}`,
            'PROJECT_ID=my-project',
            'ACCELERATOR_TYPE=nvidia-tesla-a100',
            `VM_TYPE=a2-highgpu-${gpus}g\nGPU_COUNT=${gpus}`,
            existingCluster ? 'EXISTING_CLUSTER_ID=prod-cluster' : '',
            fasterTransformer
              ? 'USE_FASTER_TRANSFORMER=true\nCONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/converted/flan'
              : 'SERVING_BACKEND=native',
            'POD_MEMORY_LIMIT=32Gi',
          ]);
          for (const object of objects) {
            const validate = VALIDATORS[object.kind];
            assert.ok(validate !== undefined, `no validator for ${object.kind}`);
            validate(object);
          }
          assert.deepEqual(
            objects.map((object) => object.kind),
            fasterTransformer ? ['ServiceAccount', 'Job', 'Deployment', 'Service'] : ['ServiceAccount', 'Deployment', 'Service'],
          );

          const account = find(objects, 'ServiceAccount');
          assert.equal(get(account, 'metadata.name'), 'aiinfra-gke-sa');
          assert.equal(get(account, 'metadata.annotations'), undefined, 'direct grants: no Google service account to name');

          const deployment = find(objects, 'Deployment');
          assert.equal(get(deployment, 'metadata.name'), 'flan-t5-base');
          assert.equal(get(deployment, 'spec.template.spec.serviceAccountName'), 'aiinfra-gke-sa');
          assert.deepEqual(get(deployment, 'spec.template.spec.nodeSelector'), { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' });
          assert.deepEqual(get(deployment, 'spec.template.spec.tolerations'), [
            { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
          ]);
          const containers = get(deployment, 'spec.template.spec.containers') as Record<string, unknown>[];
          const server = containers.find((container) => container['name'] === 'server');
          assert.ok(server !== undefined);
          const serverEnv = Object.fromEntries(
            (server['env'] as { name: string; value: string }[]).map((entry) => [entry.name, entry.value]),
          );
          assert.equal(get(server, 'livenessProbe.httpGet.path'), '/health');
          assert.equal(get(server, 'readinessProbe.httpGet.path'), '/health/ready');
          assert.equal(get(server, 'startupProbe.httpGet.path'), '/health/ready');
          assert.ok(
            Number(get(server, 'startupProbe.failureThreshold')) * Number(get(server, 'startupProbe.periodSeconds')) >= 600,
            'startup budget under 10 min',
          );
          const grace = Number(get(deployment, 'spec.template.spec.terminationGracePeriodSeconds'));
          assert.ok(grace * 1000 > Number(serverEnv['DRAIN_TIMEOUT_MS']) + 5000, 'grace period shorter than preStop + drain');
          assert.deepEqual(get(server, 'lifecycle.preStop.exec.command'), ['sleep', '5']);
          if (fasterTransformer) {
            assert.equal(containers.length, 2);
            const triton = containers.find((container) => container['name'] === 'triton');
            assert.equal((get(triton, 'resources.limits') as Record<string, string>)['nvidia.com/gpu'], String(gpus));
            assert.equal((get(server, 'resources.limits') as Record<string, string>)['nvidia.com/gpu'], undefined);
            assert.deepEqual(server['args'], ['serve', '--backend', 'fastertransformer', '--backend-url', 'http://127.0.0.1:8000']);
            assert.equal(serverEnv['AIP_STORAGE_URI'], 'gs://my-bucket/converted/flan');
            assert.ok((triton?.['args'] as string[]).includes('--model-repository=gs://my-bucket/converted/flan'));
            const job = find(objects, 'Job');
            const args = get(job, 'spec.template.spec.containers.0.args') as string[];
            assert.deepEqual(args.slice(0, 9), [
              'convert',
              '--model',
              'gs://my-bucket/models/flan-t5-base',
              '--to',
              'fastertransformer',
              '--tensor-parallel',
              String(gpus),
              '--out',
              'gs://my-bucket/converted/flan',
            ]);
            assert.equal(get(job, 'spec.template.spec.containers.0.resources.limits.memory'), '32Gi');
            assert.equal(get(job, 'spec.backoffLimit'), 2);
            assert.ok(Number(get(job, 'spec.activeDeadlineSeconds')) > 0);
          } else {
            assert.equal(containers.length, 1);
            assert.deepEqual(server['args'], ['serve', '--backend', 'native']);
            assert.equal((get(server, 'resources.limits') as Record<string, string>)['nvidia.com/gpu'], String(gpus));
            assert.equal(serverEnv['AIP_STORAGE_URI'], 'gs://my-bucket/models/flan-t5-base');
          }
          assert.equal(get(server, 'resources.limits.memory'), '32Gi');
          assert.equal(get(server, 'image'), 'ghcr.io/llm-deploy/llm-deploy:release');

          const service = find(objects, 'Service');
          assert.equal(get(service, 'spec.type'), 'NodePort');
          assert.deepEqual(get(service, 'spec.selector'), get(deployment, 'spec.template.metadata.labels'));
          const ports = get(service, 'spec.ports') as { port: number; targetPort: number }[];
          assert.deepEqual(
            ports.map((port) => [port.port, port.targetPort]),
            [
              [5000, 5000],
              [8000, fasterTransformer ? 8000 : 5000],
            ],
          );
        });
      }
    }
  }

  it('the KSA names a Google service account only when GCP_SERVICE_ACCOUNT is given (none is derived)', () => {
    const annotations = (lines: string[]) =>
      get(
        find(render(['GPU_COUNT_PER_MODEL=1', 'PROJECT_ID=my-project', 'SERVING_BACKEND=native', ...lines]), 'ServiceAccount'),
        'metadata.annotations',
      );
    assert.equal(annotations([]), undefined);
    assert.deepEqual(annotations(['GCP_SERVICE_ACCOUNT=llm-serving@my-project.iam.gserviceaccount.com']), {
      'iam.gke.io/gcp-service-account': 'llm-serving@my-project.iam.gserviceaccount.com',
    });
  });

  it('the conversion Job pods are never selected by the Service', () => {
    const objects = render(['GPU_COUNT_PER_MODEL=1', 'USE_FASTER_TRANSFORMER=1', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/c']);
    const selector = get(find(objects, 'Service'), 'spec.selector') as Record<string, string>;
    const jobLabels = get(find(objects, 'Job'), 'spec.template.metadata.labels') as Record<string, string>;
    assert.ok(Object.entries(selector).some(([key, value]) => jobLabels[key] !== value));
  });

  it('adds an HPA and a PDB when asked, and they validate', () => {
    const objects = render(['GPU_COUNT_PER_MODEL=1', 'REPLICAS=2', 'AUTOSCALE_MAX_REPLICAS=6', 'PDB_MIN_AVAILABLE=1']);
    const hpa = find(objects, 'HorizontalPodAutoscaler');
    assert.equal(get(hpa, 'spec.minReplicas'), 2);
    assert.equal(get(hpa, 'spec.maxReplicas'), 6);
    assert.equal(get(hpa, 'spec.scaleTargetRef.name'), 'flan-t5-base');
    assert.equal(get(find(objects, 'PodDisruptionBudget'), 'spec.minAvailable'), 1);
    for (const object of objects) VALIDATORS[object.kind]?.(object);
  });

  it('YAML output round-trips to the same objects', () => {
    const objects = render(['GPU_COUNT_PER_MODEL=1']);
    const parsed = parseAllDocuments(manifestsToYaml(objects)).map((document) => document.toJSON() as unknown);
    assert.deepEqual(parsed, JSON.parse(JSON.stringify(objects)));
  });

  it('rejects a manifest the schema forbids (the validator can fail)', () => {
    const [account] = render(['GPU_COUNT_PER_MODEL=1']);
    assert.ok(account !== undefined);
    assert.throws(() => VALIDATORS['Service']?.({ ...account, kind: 'Service', spec: { ports: [{ port: 'http' }] } }));
  });
});

describe('server settings in the pods', () => {
  function serverContainer(objects: readonly KubeObject[]): Record<string, unknown> {
    const containers = get(find(objects, 'Deployment'), 'spec.template.spec.containers') as Record<string, unknown>[];
    const server = containers.find((container) => container['name'] === 'server');
    assert.ok(server !== undefined);
    return server;
  }

  it('the API key travels as a Secret the server reads by secretKeyRef, never as a plain value, and is redacted when printed', () => {
    const key = 'k3y-that-must-not-leak';
    const objects = render(['GPU_COUNT_PER_MODEL=1', `API_KEY=${key}`]);
    assert.deepEqual(
      objects.map((object) => object.kind),
      ['ServiceAccount', 'Secret', 'Deployment', 'Service'],
    );
    for (const object of objects) VALIDATORS[object.kind]?.(object);
    const secret = find(objects, 'Secret');
    assert.equal(get(secret, 'metadata.name'), 'flan-t5-base-secrets');
    assert.equal(Buffer.from(String(get(secret, 'data.API_KEY')), 'base64').toString('utf8'), key);
    const env = serverContainer(objects)['env'] as Record<string, unknown>[];
    assert.deepEqual(
      env.find((entry) => entry['name'] === 'API_KEY'),
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'flan-t5-base-secrets', key: 'API_KEY' } } },
    );
    assert.ok(!JSON.stringify(find(objects, 'Deployment')).includes(key), 'the key is a plain value in the Deployment');
    const printed = manifestsToYaml(objects);
    assert.ok(!printed.includes(key) && !printed.includes(Buffer.from(key).toString('base64')), 'the printed manifests show the key');
    assert.match(printed, /API_KEY: \(redacted\)/);
  });

  it('every row marked secret (API_KEY, HF_TOKEN) reaches the server by secretKeyRef and never as a plain value', () => {
    const rows = SETTINGS.filter((setting) => setting.pod === 'secret');
    assert.ok(rows.some((setting) => setting.key === 'HF_TOKEN'));
    const objects = render(['GPU_COUNT_PER_MODEL=1', ...rows.map((setting) => `${setting.key}=${setting.example}`)]);
    const env = serverContainer(objects)['env'] as { name: string; valueFrom?: unknown }[];
    for (const { key, example } of rows) {
      assert.deepEqual(env.find((entry) => entry.name === key)?.valueFrom, { secretKeyRef: { name: 'flan-t5-base-secrets', key } });
      assert.ok(!JSON.stringify(find(objects, 'Deployment')).includes(example), key);
    }
  });

  it('no Secret when no secret setting is set', () => {
    assert.ok(!render(['GPU_COUNT_PER_MODEL=1']).some((object) => object.kind === 'Secret'));
  });

  it('every row marked for the pod reaches the server container with the value given', () => {
    const rows = SETTINGS.filter((setting) => setting.pod === true);
    assert.ok(rows.length >= 15, `${rows.length} rows marked for the pod`);
    const objects = render(['GPU_COUNT_PER_MODEL=1', ...rows.map((setting) => `${setting.key}=${setting.example}`)]);
    const env = new Map((serverContainer(objects)['env'] as { name: string; value?: string }[]).map((entry) => [entry.name, entry.value]));
    for (const setting of rows) assert.equal(env.get(setting.key), setting.example, setting.key);
    // these did not reach the pods before the table marked them
    for (const key of ['OPENAI_ANY_MODEL', 'ENGINE_THREADS', 'AIP_PREDICT_ROUTE']) assert.ok(env.has(key), key);
  });

  it('rows not marked for the pod stay out of it (the manifests set HOST, PORT and the model themselves)', () => {
    const objects = render(['GPU_COUNT_PER_MODEL=1', 'STORAGE_EMULATOR_HOST=http://127.0.0.1:4443', 'LLM_DEPLOY_CACHE=/tmp/cache']);
    const names = (serverContainer(objects)['env'] as { name: string }[]).map((entry) => entry.name);
    assert.ok(!names.includes('STORAGE_EMULATOR_HOST'));
    // the cache is the pod's sized emptyDir, not the path given for this machine
    assert.ok(!JSON.stringify(serverContainer(objects)).includes('/tmp/cache'));
    assert.deepEqual(
      names.filter((name) => ['HOST', 'PORT', 'AIP_STORAGE_URI'].includes(name)),
      ['HOST', 'PORT', 'AIP_STORAGE_URI'],
    );
  });
});

describe('pods that schedule, roll and run unprivileged', () => {
  function podSpec(objects: readonly KubeObject[], kind = 'Deployment'): Record<string, unknown> {
    return get(find(objects, kind), 'spec.template.spec') as Record<string, unknown>;
  }
  const FT = ['GPU_COUNT_PER_MODEL=1', 'USE_FASTER_TRANSFORMER=true', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/c'];

  it('a rollout never needs a spare GPU: no surge, one pod replaced at a time, for one replica and for many', () => {
    for (const replicas of ['1', '3']) {
      const deployment = find(render(['GPU_COUNT_PER_MODEL=1', `REPLICAS=${replicas}`, 'PDB_MIN_AVAILABLE=1']), 'Deployment');
      assert.deepEqual(get(deployment, 'spec.strategy'), { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    }
  });

  it('imagePullPolicy: Always for the mutable tags, IfNotPresent for a digest or a fixed version tag', () => {
    const policy = (lines: string[], container: string): unknown =>
      (podSpec(render(lines))['containers'] as Record<string, unknown>[]).find((entry) => entry['name'] === container)?.['imagePullPolicy'];
    assert.equal(policy(['GPU_COUNT_PER_MODEL=1'], 'server'), 'Always');
    assert.equal(policy(['GPU_COUNT_PER_MODEL=1', 'INFERENCING_IMAGE_TAG=latest'], 'server'), 'Always');
    assert.equal(policy(['GPU_COUNT_PER_MODEL=1', 'INFERENCING_IMAGE_TAG=1.4.2'], 'server'), 'IfNotPresent');
    assert.equal(policy([...FT, `TRITON_IMAGE=nvcr.io/nvidia/tritonserver@sha256:${'a'.repeat(64)}`], 'triton'), 'IfNotPresent');
    assert.equal(policy([...FT, 'TRITON_IMAGE=registry.example/triton-ft:latest'], 'triton'), 'Always');
    assert.equal(policy([...FT, 'TRITON_IMAGE=registry.example/triton-ft'], 'triton'), 'Always');
  });

  it('the model download goes to a sized emptyDir the pod requests as ephemeral storage', () => {
    for (const lines of [
      ['GPU_COUNT_PER_MODEL=1', 'POD_EPHEMERAL_STORAGE=50Gi'],
      [...FT, 'POD_EPHEMERAL_STORAGE=50Gi'],
    ]) {
      const objects = render(lines);
      for (const kind of ['Deployment', 'Job']) {
        if (!objects.some((object) => object.kind === kind)) continue;
        const spec = podSpec(objects, kind);
        assert.deepEqual(spec['volumes'], [{ name: 'model-cache', emptyDir: { sizeLimit: '50Gi' } }], kind);
        const containers = spec['containers'] as Record<string, unknown>[];
        const user = containers.find((container) => container['name'] !== 'triton');
        assert.ok(user !== undefined);
        assert.deepEqual(user['volumeMounts'], [{ name: 'model-cache', mountPath: '/var/cache/llm-deploy' }], kind);
        const env = user['env'] as { name: string; value?: string }[];
        assert.equal(env.find((entry) => entry.name === 'LLM_DEPLOY_CACHE')?.value, '/var/cache/llm-deploy', kind);
        assert.equal(get(user, 'resources.requests.ephemeral-storage'), '50Gi', kind);
      }
      for (const object of objects) VALIDATORS[object.kind]?.(object);
    }
  });

  it('every container runs as uid 1000, without privilege escalation or capabilities, under RuntimeDefault seccomp', () => {
    const objects = render(FT);
    for (const kind of ['Deployment', 'Job']) {
      const spec = podSpec(objects, kind);
      assert.deepEqual(get(spec, 'securityContext.seccompProfile'), { type: 'RuntimeDefault' }, kind);
      assert.equal(get(spec, 'securityContext.fsGroup'), 1000, kind);
      const containers = spec['containers'] as Record<string, unknown>[];
      assert.ok(containers.length > 0);
      for (const container of containers) {
        assert.deepEqual(
          container['securityContext'],
          {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
          `${kind}/${String(container['name'])}`,
        );
      }
    }
    for (const object of objects) VALIDATORS[object.kind]?.(object);
  });
});

describe('the Triton container stops, schedules and shares memory like the server', () => {
  const FT = ['USE_FASTER_TRANSFORMER=true', 'CONVERTED_MODEL_UPLOAD_PATH=gs://my-bucket/c'];
  function containers(lines: readonly string[]): {
    spec: Record<string, unknown>;
    triton: Record<string, unknown>;
    server: Record<string, unknown>;
  } {
    const objects = render(lines);
    for (const object of objects) VALIDATORS[object.kind]?.(object);
    const spec = get(find(objects, 'Deployment'), 'spec.template.spec') as Record<string, unknown>;
    const list = spec['containers'] as Record<string, unknown>[];
    const triton = list.find((container) => container['name'] === 'triton');
    const server = list.find((container) => container['name'] === 'server');
    assert.ok(triton !== undefined && server !== undefined);
    return { spec, triton, server };
  }

  it('Triton gets a preStop, and the grace period covers the preStop, the drain and Triton exiting after it', () => {
    for (const drain of ['25000', '90000']) {
      const { spec, triton, server } = containers([...FT, 'GPU_COUNT_PER_MODEL=1', `DRAIN_TIMEOUT_MS=${drain}`]);
      const command = get(triton, 'lifecycle.preStop.exec.command') as string[] | undefined;
      assert.ok(Array.isArray(command), 'triton has no preStop');
      const preStopSeconds = Number(command[command.length - 1]);
      const serverPreStop = Number((get(server, 'lifecycle.preStop.exec.command') as string[])[1]);
      // Triton must keep serving while the server drains its in-flight requests, which still call Triton
      assert.ok(preStopSeconds * 1000 >= serverPreStop * 1000 + Number(drain), `triton stops at ${preStopSeconds}s, drain ${drain}ms`);
      const grace = Number(spec['terminationGracePeriodSeconds']);
      assert.ok(grace > preStopSeconds, `grace ${grace}s not past the triton preStop ${preStopSeconds}s`);
    }
  });

  it('Triton requests CPU', () => {
    const { triton } = containers([...FT, 'GPU_COUNT_PER_MODEL=1']);
    assert.ok(get(triton, 'resources.requests.cpu') !== undefined, 'no CPU request');
  });

  it('/dev/shm is a memory emptyDir when tensor parallel > 1, and absent for one GPU', () => {
    const one = containers([...FT, 'GPU_COUNT_PER_MODEL=1']);
    assert.ok(!JSON.stringify(one.spec).includes('/dev/shm'));
    const four = containers([...FT, 'GPU_COUNT_PER_MODEL=4', 'POD_MEMORY_LIMIT=32Gi']);
    const volumes = four.spec['volumes'] as Record<string, unknown>[];
    const shm = volumes.find((volume) => get(volume, 'emptyDir.medium') === 'Memory');
    assert.ok(shm !== undefined, 'no memory emptyDir');
    assert.ok(get(shm, 'emptyDir.sizeLimit') !== undefined, 'the memory emptyDir has no sizeLimit');
    const mounts = four.triton['volumeMounts'] as { name: string; mountPath: string }[];
    assert.deepEqual(
      mounts.find((mount) => mount.mountPath === '/dev/shm'),
      { name: shm['name'], mountPath: '/dev/shm' },
    );
  });
});
