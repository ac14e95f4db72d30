/**
 * The protocol module's error catalogue. Every wire-format problem is an LlmDeployError with a
 * PROTOCOL_* code; the caller's mistakes are 4xx, a malformed upstream (Triton) reply is a 502.
 */
import { LlmDeployError } from '../config/index.js';
import type { ErrorFacts } from '../config/index.js';

/** Stable codes raised by this module. */
export const PROTOCOL_ERROR_CODES = {
  /** The body is not JSON, or the JSON does not match the message schema. */
  bodyInvalid: 'PROTOCOL_BODY_INVALID',
  /** A framing header (Inference-Header-Content-Length) is malformed. */
  headerInvalid: 'PROTOCOL_HEADER_INVALID',
  /** A tensor's shape, datatype, data or binary size is wrong. */
  tensorInvalid: 'PROTOCOL_TENSOR_INVALID',
  /** A required tensor or field is missing. */
  inputMissing: 'PROTOCOL_INPUT_MISSING',
  /** The caller asked for an output the model does not have. */
  outputUnknown: 'PROTOCOL_OUTPUT_UNKNOWN',
  /** A generation setting is unknown or out of range. */
  parameterInvalid: 'PROTOCOL_PARAMETER_INVALID',
  /** A well-formed request asks for something we do not implement. */
  unsupported: 'PROTOCOL_UNSUPPORTED',
  /** An upstream server (Triton) answered with something we cannot read. */
  replyInvalid: 'PROTOCOL_REPLY_INVALID',
} as const;

/** One of {@link PROTOCOL_ERROR_CODES}. */
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[keyof typeof PROTOCOL_ERROR_CODES];

/** Who sent the message being read: a client's request (4xx) or an upstream reply (502). */
export type MessageSource = 'request' | 'reply';

/** Facts plus the code and status of a protocol error. */
export interface ProtocolErrorOptions extends ErrorFacts {
  readonly code: ProtocolErrorCode;
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

/** A protocol error; the caller's mistakes default to 400. */
export function protocolError(summary: string, options: ProtocolErrorOptions): LlmDeployError {
  return new LlmDeployError(summary, { httpStatus: 400, ...options });
}

/**
 * A problem in a message: 400 with `code` when a client sent it, 502 PROTOCOL_REPLY_INVALID when
 * an upstream server did (its reply is broken, not the caller's request).
 */
export function messageError(
  source: MessageSource,
  summary: string,
  options: ErrorFacts & { readonly code: ProtocolErrorCode; readonly cause?: unknown },
): LlmDeployError {
  if (source === 'request') return protocolError(summary, options);
  return protocolError(`upstream reply: ${summary}`, { ...options, code: PROTOCOL_ERROR_CODES.replyInvalid, httpStatus: 502 });
}
