import { z } from 'zod';

/** Parsers from the raw env-file string to a typed value; each says what it expects. */
export interface ValueParser<T> {
  readonly schema: z.ZodType<T, string>;
  /** What is accepted, for messages and the README ("an integer >= 1"). */
  readonly expected: string;
}

/** Integers within [min, max], written in plain decimal. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return {
    expected,
    schema: z
      .string()
      .regex(/^[+-]?\d+$/, expected)
      .transform(Number)
      .refine((value) => value >= min && value <= max, expected),
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** true/false/1/0/yes/no, any case. */
export const boolean: ValueParser<boolean> = {
  expected: 'true, false, 1, 0, yes or no (any case)',
  schema: z
    .string()
    .refine((value) => TRUE_WORDS.has(value.toLowerCase()) || FALSE_WORDS.has(value.toLowerCase()), 'a boolean')
    .transform((value) => TRUE_WORDS.has(value.toLowerCase())),
};

/** Any non-empty string. */
export function text(expected = 'a non-empty value'): ValueParser<string> {
  return { expected, schema: z.string().min(1, expected) };
}

/** One of a fixed list of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T): ValueParser<T[number]> {
  const expected = `one of ${values.join(', ')}`;
  return { expected, schema: z.enum(values, { error: expected }) };
}

// Kubernetes resource.Quantity, restricted to non-negative values (a memory limit cannot be negative).
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** A Kubernetes quantity such as 16Gi, 512Mi or 8G. */
export const quantity: ValueParser<string> = {
  expected: 'a Kubernetes quantity such as 16Gi, 512Mi or 8G (binary suffixes Ki..Ei, decimal k..E)',
  schema: z.string().regex(QUANTITY, 'a Kubernetes quantity'),
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC 1123 DNS label (Kubernetes object names). */
export const dnsLabel: ValueParser<string> = {
  expected: 'a DNS-1123 label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
  schema: z.string().max(63).regex(DNS_LABEL),
};

const GS_URI = /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/.*)?$/;

/** gs://bucket/path, file://path or a local path. */
export const modelSource: ValueParser<string> = {
  expected: 'gs://bucket/path, file:///absolute/path or a local directory path',
  schema: z
    .string()
    .min(1)
    .refine((value) => !value.startsWith('gs://') || GS_URI.test(value), 'a valid gs://bucket/path')
    .refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^(gs|file):\/\//.test(value), 'gs:// or file://'),
};

/** gs://bucket/path or a local path (where converted models are written). */
export const uploadTarget: ValueParser<string> = modelSource;

/** An HTTP(S) URL. */
export const httpUrl: ValueParser<string> = {
  expected: 'an http:// or https:// URL',
  schema: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/),
};

/** An absolute URL path starting with "/". */
export const routePath: ValueParser<string> = {
  expected: 'a URL path starting with "/"',
  schema: z.string().regex(/^\/\S*$/),
};

/** A GCP zone such as us-central1-a. */
export const zone: ValueParser<string> = {
  expected: 'a GCP zone such as us-central1-a',
  schema: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/),
};

/** A GCP region such as us-central1. */
export const region: ValueParser<string> = {
  expected: 'a GCP region such as us-central1',
  schema: z.string().regex(/^[a-z]+-[a-z]+\d+$/),
};
