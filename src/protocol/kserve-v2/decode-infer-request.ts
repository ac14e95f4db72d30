/**
 * Server side: a KServe v2 infer request body (JSON, or JSON + binary tensor data) into typed
 * tensors, following the parser algorithm of the Triton binary tensor extension.
 */
import { messageError, PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { renderValue, zodError } from '../zod-error.js';
import { parseJsonPart, splitBody } from './binary-framing.js';
import { DATATYPE_INFO, formatShape } from './datatypes.js';
import { kserveV2InferRequestSchema, type KServeV2InferRequest } from './infer-request.js';
import { readTensors } from './read-tensors.js';
import type { KServeV2Parameters, KServeV2Tensor, KServeV2TensorMetadata } from './tensor.js';
import { tensorFromBinary } from './tensor-binary.js';

/** An output the client asked for; `binaryData` is its own `binary_data` parameter, when set. */
export interface KServeV2RequestedOutput {
  readonly name: string;
  readonly binaryData?: boolean;
  readonly parameters?: KServeV2Parameters;
}

/** A decoded request. `binaryDataOutput` is the request-level default (true for raw binary requests). */
export interface KServeV2DecodedInferRequest {
  readonly id?: string;
  readonly parameters: KServeV2Parameters;
  readonly inputs: readonly KServeV2Tensor[];
  /** Absent = all outputs. */
  readonly outputs?: readonly KServeV2RequestedOutput[];
  readonly binaryDataOutput: boolean;
}

/** Options for {@link decodeInferRequest}. */
export interface DecodeInferRequestOptions {
  /** The `Inference-Header-Content-Length` header value, if the request had one. */
  readonly inferenceHeaderContentLength?: string | undefined;
  /** The model's inputs; needed only to accept raw binary requests (header value 0, single-input models). */
  readonly modelInputs?: readonly KServeV2TensorMetadata[];
}

function booleanParameter(parameters: KServeV2Parameters | undefined, key: string, field: string): boolean | undefined {
  const value = parameters?.[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw protocolError(`bad ${key}`, {
    code: PROTOCOL_ERROR_CODES.tensorInvalid,
    field,
    given: renderValue(value),
    expected: 'true or false',
  });
}

function requestedOutputs(request: KServeV2InferRequest): KServeV2RequestedOutput[] | undefined {
  return request.outputs?.map((output) => {
    const binaryData = booleanParameter(output.parameters, 'binary_data', `output '${output.name}'.parameters.binary_data`);
    const rest = Object.fromEntries(Object.entries(output.parameters ?? {}).filter(([key]) => key !== 'binary_data'));
    return {
      name: output.name,
      ...(binaryData === undefined ? {} : { binaryData }),
      ...(Object.keys(rest).length === 0 ? {} : { parameters: rest }),
    };
  });
}

function decodeRaw(binary: Uint8Array, modelInputs: readonly KServeV2TensorMetadata[] | undefined): KServeV2DecodedInferRequest {
  if (modelInputs === undefined || modelInputs.length !== 1) {
    throw protocolError('raw binary requests (Inference-Header-Content-Length: 0) need a model with exactly one input', {
      code: PROTOCOL_ERROR_CODES.unsupported,
      field: 'Inference-Header-Content-Length',
      given: `0, for a model with ${modelInputs?.length ?? 'several'} inputs`,
      expected: 'a JSON header length > 0',
    });
  }
  const input = modelInputs[0]!;
  const elementBytes = DATATYPE_INFO[input.datatype].bytesPerElement;
  let shape: number[];
  if (elementBytes === null) shape = [1];
  else {
    const batched = input.shape.map((dim) => (dim === -1 ? 0 : dim));
    const variable = input.shape.filter((dim) => dim === -1).length;
    const fixed = input.shape.reduce((product, dim) => (dim === -1 ? product : product * dim), 1);
    if (variable > 1 || (variable === 1 && binary.length % (fixed * elementBytes) !== 0)) {
      throw messageError('request', 'raw binary body cannot be shaped', {
        code: PROTOCOL_ERROR_CODES.tensorInvalid,
        field: `input '${input.name}'`,
        given: `${binary.length} bytes for shape ${formatShape(input.shape)} ${input.datatype}`,
        expected: 'at most one variable dimension and a whole number of rows',
      });
    }
    shape = batched.map((dim, index) => (input.shape[index] === -1 ? binary.length / (fixed * elementBytes) : dim));
  }
  const tensor = tensorFromBinary({ name: input.name, datatype: input.datatype, shape }, binary, { source: 'request', role: 'input' });
  return { parameters: {}, inputs: [tensor], binaryDataOutput: true };
}

/**
 * Decodes a request body: a Buffer (with the header value when binary data follows the JSON), a
 * JSON string, or an object a framework already parsed.
 * @example decodeInferRequest(body, { inferenceHeaderContentLength: headers['inference-header-content-length'] })
 */
export function decodeInferRequest(body: unknown, options: DecodeInferRequestOptions = {}): KServeV2DecodedInferRequest {
  const headerValue = options.inferenceHeaderContentLength;
  let json: unknown = body;
  let binary: Uint8Array = new Uint8Array(0);
  if (body instanceof Uint8Array) {
    const split = splitBody(body, headerValue, 'request');
    if (split.raw) return decodeRaw(split.binary, options.modelInputs);
    const hint =
      headerValue === undefined ? '; if binary tensor data follows the JSON, the Inference-Header-Content-Length header is missing' : '';
    json = parseJsonPart(split.json, 'request', hint);
    binary = split.binary;
  } else if (typeof body === 'string') json = parseJsonPart(body, 'request');
  const parsed = kserveV2InferRequestSchema.safeParse(json);
  if (!parsed.success) throw zodError(parsed.error, json, { code: PROTOCOL_ERROR_CODES.bodyInvalid, what: 'KServe v2 infer request' });
  const request = parsed.data;
  const inputs = readTensors(request.inputs, binary, { source: 'request', role: 'input', headerSent: headerValue !== undefined });
  const outputs = requestedOutputs(request);
  return {
    ...(request.id === undefined ? {} : { id: request.id }),
    parameters: request.parameters ?? {},
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
    binaryDataOutput: booleanParameter(request.parameters, 'binary_data_output', 'parameters.binary_data_output') ?? false,
  };
}
