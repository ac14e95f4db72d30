/**
 * Server side: typed output tensors into a KServe v2 response, JSON or binary per output
 * (`binary_data` on the requested output, else the request-level `binary_data_output`).
 */
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { INFERENCE_HEADER_CONTENT_LENGTH, joinBody } from './binary-framing.js';
import type { KServeV2RequestedOutput } from './decode-infer-request.js';
import type { KServeV2InferResponse, KServeV2InferResponseOutput } from './infer-response.js';
import type { KServeV2Parameters, KServeV2Tensor } from './tensor.js';
import { tensorEntry } from './tensor-entry.js';

/** What the model produced for one request. */
export interface KServeV2InferResult {
  readonly modelName: string;
  readonly modelVersion?: string;
  readonly id?: string;
  readonly parameters?: KServeV2Parameters;
  readonly outputs: readonly KServeV2Tensor[];
}

/** How the client asked for outputs (from the decoded request). */
export interface EncodeInferResponseOptions {
  readonly outputs?: readonly KServeV2RequestedOutput[];
  readonly binaryDataOutput?: boolean;
}

/** A body to send and the headers to send with it (a Buffer when any output is binary). */
export interface EncodedInferMessage {
  readonly body: Buffer | KServeV2InferResponse;
  readonly headers: Readonly<Record<string, string>>;
}

/** Picks the requested outputs in request order; an unknown name is the caller's 400. */
export function selectOutputs(
  outputs: readonly KServeV2Tensor[],
  requested: readonly KServeV2RequestedOutput[] | undefined,
): { tensor: KServeV2Tensor; binaryData?: boolean }[] {
  if (requested === undefined || requested.length === 0) return outputs.map((tensor) => ({ tensor }));
  return requested.map((request) => {
    const tensor = outputs.find((output) => output.name === request.name);
    if (tensor === undefined) {
      throw protocolError('unknown output', {
        code: PROTOCOL_ERROR_CODES.outputUnknown,
        field: 'outputs',
        given: `'${request.name}'`,
        expected: `one of ${outputs.map((output) => `'${output.name}'`).join(', ')}`,
      });
    }
    return request.binaryData === undefined ? { tensor } : { tensor, binaryData: request.binaryData };
  });
}

/**
 * Encodes a response. JSON-only answers come back as an object (let the framework serialise it);
 * with any binary output the body is a Buffer and `Inference-Header-Content-Length` is set.
 * @example const { body, headers } = encodeInferResponse(result, decodedRequest); reply.headers(headers).send(body)
 */
export function encodeInferResponse(result: KServeV2InferResult, options: EncodeInferResponseOptions = {}): EncodedInferMessage {
  const chunks: Uint8Array[] = [];
  const outputs: KServeV2InferResponseOutput[] = selectOutputs(result.outputs, options.outputs).map(({ tensor, binaryData }) =>
    tensorEntry(tensor, { binary: binaryData ?? options.binaryDataOutput ?? false, role: 'output', chunks }),
  );
  const json: KServeV2InferResponse = {
    model_name: result.modelName,
    ...(result.modelVersion === undefined ? {} : { model_version: result.modelVersion }),
    ...(result.id === undefined ? {} : { id: result.id }),
    ...(result.parameters === undefined ? {} : { parameters: result.parameters }),
    outputs,
  };
  if (chunks.length === 0) return { body: json, headers: { 'content-type': 'application/json' } };
  const joined = joinBody(json, chunks);
  return {
    body: joined.body,
    headers: { 'content-type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: String(joined.headerLength) },
  };
}
