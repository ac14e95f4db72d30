/**
 * The only importer of onnxruntime-node: opens an ONNX model as a {@link GraphSession} and runs
 * it on our own tensor type, turning onnxruntime's errors into ENGINE_SESSION_FAILED.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { LlmDeployError } from '../../config/index.js';

/** A tensor handed to or returned by a session; `data` is row-major and never copied on input. */
export type SessionTensor =
  | { readonly type: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly type: 'int64'; readonly dims: readonly number[]; readonly data: BigInt64Array };

/** Options of {@link openGraphSession}. */
export interface GraphSessionOptions {
  /** Intra-op threads (>= 1). */
  readonly threads: number;
  /** 'cpu', or 'auto' to use CUDA when onnxruntime offers it (falls back to CPU). */
  readonly provider?: 'cpu' | 'auto';
  /** A name for error messages (e.g. the model file). */
  readonly label: string;
}

/** An opened model. */
export interface GraphSession {
  /** The execution provider in use: 'cpu' or 'cuda'. */
  readonly provider: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph; returns the named outputs (all when `outputs` is absent). */
  run(feeds: Readonly<Record<string, SessionTensor>>, outputs?: readonly string[]): Promise<Record<string, SessionTensor>>;
  close(): Promise<void>;
}

/** Opens `source` (protobuf bytes, or a file path when external data sits beside it). */
export async function openGraphSession(source: Uint8Array | string, options: GraphSessionOptions): Promise<GraphSession> {
  if (options.provider === 'auto' && cudaOffered()) {
    try {
      return wrap(await createSession(source, options, 'cuda'), 'cuda', options.label);
    } catch {
      // The CUDA provider library is not installed (or no GPU): the CPU provider serves.
    }
  }
  return wrap(await createSession(source, options, 'cpu'), 'cpu', options.label);
}

async function createSession(
  source: Uint8Array | string,
  options: GraphSessionOptions,
  provider: 'cuda' | 'cpu',
): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: provider === 'cuda' ? 4 : 2,
  };
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, sessionOptions)
      : await ort.InferenceSession.create(source, sessionOptions);
  } catch (cause) {
    throw sessionError('could not load the ONNX graph', options.label, cause);
  }
}

function wrap(session: ort.InferenceSession, provider: string, label: string): GraphSession {
  return {
    provider,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
      let results: ort.InferenceSession.ReturnType;
      try {
        results = outputs === undefined ? await session.run(ortFeeds) : await session.run(ortFeeds, outputs);
      } catch (cause) {
        throw sessionError('the ONNX graph failed to run', label, cause);
      }
      const converted: Record<string, SessionTensor> = {};
      for (const [name, value] of Object.entries(results)) converted[name] = fromOrt(value, label);
      return converted;
    },
    async close() {
      await session.release();
    },
  };
}

function fromOrt(value: ort.OnnxValue, label: string): SessionTensor {
  const dims = [...value.dims];
  if (value.type === 'float32' && value.data instanceof Float32Array) return { type: 'float32', dims, data: value.data };
  if (value.type === 'int64' && value.data instanceof BigInt64Array) return { type: 'int64', dims, data: value.data };
  throw sessionError('the ONNX graph returned an unexpected tensor type', label, value.type);
}

// onnxruntime lists CUDA even when its provider library was not installed (and then logs an error on
// every attempt), so look for the library beside the native binding first.
function cudaOffered(): boolean {
  if (!ort.listSupportedBackends().some((backend) => backend.name === 'cuda')) return false;
  try {
    const packageDir = dirname(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')));
    return existsSync(join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

function sessionError(summary: string, label: string, cause: unknown): LlmDeployError {
  return new LlmDeployError(summary, { code: 'ENGINE_SESSION_FAILED', file: label, cause });
}
