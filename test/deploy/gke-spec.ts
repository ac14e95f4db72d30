// The deployment spec the Kubernetes tests render: a gs:// T5 on the gke target, one GPU, served natively unless the
// extra lines choose FasterTransformer (a bucket model's architecture cannot be read, so SERVING_BACKEND is given).
import { loadSettings, parseEnvFile, type DeploymentSettings } from '../../src/config/index.js';

/** SERVING_BACKEND=native for the spec's gs:// model, unless `lines` choose FasterTransformer (or a backend themselves). */
export function nativeUnlessFasterTransformer(lines: readonly string[]): string[] {
  const chosen = lines.some((line) => line.startsWith('USE_FASTER_TRANSFORMER=') || line.startsWith('SERVING_BACKEND='));
  return chosen ? [] : ['SERVING_BACKEND=native'];
}

/** The settings of that spec plus `lines`, loaded as `deploy --env-file spec.env` does. */
export function gkeSpecSettings(lines: readonly string[] = []): DeploymentSettings {
  const text = [
    'MODEL_SOURCE_PATH=gs://my-bucket/models/flan-t5-base',
    'GPU_COUNT_PER_MODEL=1',
    'PROJECT_ID=my-project',
    ...nativeUnlessFasterTransformer(lines),
    ...lines,
  ].join('\n');
  return loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'spec.env', env: {} }) }).settings;
}
