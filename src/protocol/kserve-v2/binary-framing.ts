/**
 * Framing of the Triton binary tensor extension: a JSON header of `Inference-Header-Content-Length`
 * bytes, then the binary chunks of the tensors in the order the JSON lists them.
 */
import { messageError, PROTOCOL_ERROR_CODES, type MessageSource } from '../errors.js';
import { parseJsonText } from '../json-text.js';
import { renderValue } from '../zod-error.js';

/** The framing header, lower-case as Node presents incoming headers. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** A body cut into its JSON part and binary part; `raw` = header 0, the body is one input's bytes. */
export interface SplitBody {
  readonly json: Uint8Array;
  readonly binary: Uint8Array;
  readonly raw: boolean;
}

/**
 * Splits a body by the header's value; without the header the whole body is JSON.
 * @example splitBody(body, request.headers['inference-header-content-length'], 'request')
 */
export function splitBody(body: Uint8Array, headerValue: string | undefined, source: MessageSource): SplitBody {
  if (headerValue === undefined) return { json: body, binary: body.subarray(body.length), raw: false };
  const trimmed = headerValue.trim();
  const length = /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(length) || length > body.length) {
    throw messageError(source, 'bad JSON header length', {
      code: PROTOCOL_ERROR_CODES.headerInvalid,
      field: 'Inference-Header-Content-Length',
      given: renderValue(headerValue),
      expected: `an integer 0..${body.length} (the body length)`,
    });
  }
  if (length === 0) return { json: body.subarray(0, 0), binary: body, raw: true };
  return { json: body.subarray(0, length), binary: body.subarray(length), raw: false };
}

/** Parses the JSON part through the one JSON reader (nesting bounded, prototype keys refused); `hint` is appended to a syntax error. */
export function parseJsonPart(json: Uint8Array | string, source: MessageSource, hint = ''): unknown {
  const text = typeof json === 'string' ? json : new TextDecoder().decode(json);
  return parseJsonText(text, source, {
    hint,
    expected: 'a JSON object (followed by binary tensor data when Inference-Header-Content-Length is set)',
  });
}

/** A framed message: JSON followed by the chunks; `headerLength` is null when there are no chunks. */
export interface JoinedBody {
  readonly body: Buffer;
  readonly headerLength: number | null;
}

/** Serialises the JSON part and appends the chunks. */
export function joinBody(json: unknown, chunks: readonly Uint8Array[]): JoinedBody {
  const head = Buffer.from(JSON.stringify(json), 'utf8');
  if (chunks.length === 0) return { body: head, headerLength: null };
  return { body: Buffer.concat([head, ...chunks]), headerLength: head.length };
}
