/** Client side: a KServe v2 infer response (JSON or JSON + binary) into typed tensors; a broken reply is a 502. */
import { PROTOCOL_ERROR_CODES } from '../errors.js';
import { zodError } from '../zod-error.js';
import { parseJsonPart, splitBody } from './binary-framing.js';
import { kserveV2InferResponseSchema } from './infer-response.js';
import { readTensors } from './read-tensors.js';
import type { KServeV2Parameters, KServeV2Tensor } from './tensor.js';
import { messageError } from '../errors.js';

/** A decoded response. */
export interface KServeV2DecodedInferResponse {
  readonly modelName: string;
  readonly modelVersion?: string;
  readonly id?: string;
  readonly parameters: KServeV2Parameters;
  readonly outputs: readonly KServeV2Tensor[];
}

/**
 * Decodes a response body with the response's `Inference-Header-Content-Length` value (if any).
 * @example decodeInferResponse(Buffer.from(await response.arrayBuffer()), response.headers.get('inference-header-content-length') ?? undefined)
 */
export function decodeInferResponse(body: Uint8Array, inferenceHeaderContentLength?: string): KServeV2DecodedInferResponse {
  const split = splitBody(body, inferenceHeaderContentLength, 'reply');
  if (split.raw) {
    throw messageError('reply', 'raw binary responses are not supported', {
      code: PROTOCOL_ERROR_CODES.bodyInvalid,
      field: 'Inference-Header-Content-Length',
      given: '0',
      expected: 'a JSON header length > 0',
    });
  }
  const json = parseJsonPart(split.json, 'reply');
  const parsed = kserveV2InferResponseSchema.safeParse(json);
  if (!parsed.success)
    throw zodError(parsed.error, json, { code: PROTOCOL_ERROR_CODES.bodyInvalid, source: 'reply', what: 'KServe v2 infer response' });
  const response = parsed.data;
  const outputs = readTensors(response.outputs, split.binary, {
    source: 'reply',
    role: 'output',
    headerSent: inferenceHeaderContentLength !== undefined,
  });
  return {
    modelName: response.model_name,
    ...(response.model_version === undefined ? {} : { modelVersion: response.model_version }),
    ...(response.id === undefined ? {} : { id: response.id }),
    parameters: response.parameters ?? {},
    outputs,
  };
}
