/** Client side: typed input tensors into a KServe v2 infer request body (binary tensor data by default). */
import { INFERENCE_HEADER_CONTENT_LENGTH, joinBody } from './binary-framing.js';
import type { KServeV2InferRequest, KServeV2InferRequestInput, KServeV2InferRequestOutput } from './infer-request.js';
import type { KServeV2Parameters, KServeV2Tensor } from './tensor.js';
import { tensorEntry } from './tensor-entry.js';

/** A request to send. */
export interface KServeV2OutgoingInferRequest {
  readonly id?: string;
  readonly parameters?: KServeV2Parameters;
  readonly inputs: readonly KServeV2Tensor[];
  /** Outputs to ask for; `binaryData` asks for that output in binary. Absent = all, per the server's default. */
  readonly outputs?: readonly { readonly name: string; readonly binaryData?: boolean }[];
}

/** Options for {@link encodeInferRequest}. */
export interface EncodeInferRequestOptions {
  /** Send inputs as binary tensor data (default true; FP16/BF16 inputs are always binary). */
  readonly binaryInputs?: boolean;
}

/** Body + headers ready for `fetch`. */
export interface EncodedInferRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Encodes a request for `POST /v2/models/{name}/infer`.
 * @example const { body, headers } = encodeInferRequest({ inputs }); await fetch(url, { method: 'POST', body, headers })
 */
export function encodeInferRequest(request: KServeV2OutgoingInferRequest, options: EncodeInferRequestOptions = {}): EncodedInferRequest {
  const binaryInputs = options.binaryInputs ?? true;
  const chunks: Uint8Array[] = [];
  const inputs: KServeV2InferRequestInput[] = request.inputs.map((tensor) => {
    const binaryOnly = tensor.datatype === 'FP16' || tensor.datatype === 'BF16';
    return tensorEntry(tensor, { binary: binaryInputs || binaryOnly, role: 'input', chunks });
  });
  const outputs: KServeV2InferRequestOutput[] | undefined = request.outputs?.map((output) =>
    output.binaryData === undefined ? { name: output.name } : { name: output.name, parameters: { binary_data: output.binaryData } },
  );
  const json: KServeV2InferRequest = {
    ...(request.id === undefined ? {} : { id: request.id }),
    ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
  };
  const joined = joinBody(json, chunks);
  if (joined.headerLength === null) return { body: joined.body, headers: { 'content-type': 'application/json' } };
  return {
    body: joined.body,
    headers: { 'content-type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: String(joined.headerLength) },
  };
}
