/**
 * How much memory a pod of the native engine needs for a model, and the warning `render` prints
 * when POD_MEMORY_LIMIT is below it. The rule is the README's ("Memory per model size"): the engine
 * loads every checkpoint into float32 graphs (int8 is quantised from them), its measured peak is
 * at most 1.3x those float32 weight bytes, on top of the process itself and of what caches and
 * activations grow to while serving.
 */
import { existsSync, statSync } from 'node:fs';
import { quantityValue, type DeploymentSettings } from '../config/index.js';
import { openModelDirectory, parameterCount } from '../model/index.js';

/** Peak resident memory of loading and serving, per float32 weight byte (measured by the benchmark: 1.04-1.2x). */
export const NATIVE_PEAK_PER_WEIGHT_BYTE = 1.3;

/** Node.js, onnxruntime and the server before a model is loaded (about 130 MiB), plus room for caches and activations. */
export const NATIVE_PROCESS_HEADROOM_BYTES = 1024 * 2 ** 20;

/** Bytes of memory the native engine needs for a model of `float32WeightBytes` (4 bytes per parameter). */
export function nativeEngineMemoryBytes(float32WeightBytes: number): number {
  return Math.ceil(NATIVE_PEAK_PER_WEIGHT_BYTE * float32WeightBytes + NATIVE_PROCESS_HEADROOM_BYTES);
}

/**
 * The warning for a native-engine deployment whose POD_MEMORY_LIMIT is below what its model needs;
 * undefined when the limit suffices, the engine is another one, or the model is not a local
 * Hugging Face directory this machine can inspect (a bucket, the Hub, a converted layout).
 */
export async function podMemoryWarning(settings: DeploymentSettings): Promise<string | undefined> {
  if (settings.servingBackend !== 'native' || settings.useFasterTransformer) return undefined;
  const limit = quantityValue(settings.podMemoryLimit);
  const parameters = await localParameterCount(settings.modelSource);
  if (limit === undefined || parameters === undefined) return undefined;
  const needed = nativeEngineMemoryBytes(parameters * 4);
  if (limit >= needed) return undefined;
  return (
    `POD_MEMORY_LIMIT=${settings.podMemoryLimit} is below the ${gibibytes(needed)} the native engine needs for ` +
    `${settings.modelSource} (${(parameters / 1e6).toFixed(1)}M parameters: 1.3 x ${gibibytes(parameters * 4)} of float32 weights ` +
    `+ ${gibibytes(NATIVE_PROCESS_HEADROOM_BYTES)}); the pod would be OOM-killed while loading or serving. Set POD_MEMORY_LIMIT=${Math.ceil(needed / 2 ** 30)}Gi or more.`
  );
}

// Reads only the weight files' headers (shapes), never the tensors.
async function localParameterCount(source: string): Promise<number | undefined> {
  if (!existsSync(source) || !statSync(source).isDirectory()) return undefined;
  try {
    const model = await openModelDirectory(source);
    if (model.layout !== 'huggingface') return undefined;
    const weights = await model.openWeights();
    try {
      return parameterCount(weights);
    } finally {
      weights.close();
    }
  } catch {
    // A directory the engine cannot load is `serve`'s error to report, not render's.
    return undefined;
  }
}

function gibibytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
