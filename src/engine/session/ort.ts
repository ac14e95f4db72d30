/**
 * The only importer of onnxruntime-node: opens an ONNX model as a {@link GraphSession} and runs
 * it on our own tensor type, turning onnxruntime's errors into ENGINE_SESSION_FAILED.
 */
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
  const providers = options.provider === 'auto' && cudaOffered() ? ['cuda', 'cpu'] : ['cpu'];
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  let session: ort.InferenceSession;
  try {
    session = typeof source === 'string'
      ? await ort.InferenceSession.create(source, sessionOptions)
      : await ort.InferenceSession.create(source, sessionOptions);
  } catch (cause) {
    throw sessionError('could not load the ONNX graph', options.label, cause);
  }
  return wrap(session, providers[0] ?? 'cpu', options.label);
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

function cudaOffered(): boolean {
  return ort.listSupportedBackends().some((backend) => backend.name === 'cuda');
}

function sessionError(summary: string, label: string, cause: unknown): LlmDeployError {
  return new LlmDeployError(summary, { code: 'ENGINE_SESSION_FAILED', file: label, cause });
}
