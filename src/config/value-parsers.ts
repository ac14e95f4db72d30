import { z } from 'zod';
import { MODEL_DESTINATION_FORMS, MODEL_SOURCE_FORMS, modelSourceIssue, type ModelSourceReading } from './model-source.js';

/** Parsers from the raw env-file string to a typed value; each says what it expects. */
export interface ValueParser<T> {
  readonly schema: z.ZodType<T, string>;
  /** What is accepted, for messages and the README ("an integer >= 1"). */
  readonly expected: string;
  /** Integer parsers: the accepted range (the option schemas of server and engine reuse it). */
  readonly range?: { readonly min: number; readonly max: number };
  /** Word-list parsers: the accepted words (commander's `.choices()` for flags). */
  readonly choices?: readonly string[];
}

/** Integers within [min, max], written in plain decimal. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return {
    expected,
    range: { min, max },
    schema: z
      .string()
      .regex(/^[+-]?\d+$/, expected)
      .transform(Number)
      .refine((value) => value >= min && value <= max, expected),
  };
}

/** Decimal numbers within [min, max] (`0.9`, `.85`, `1`). */
export function decimal(min: number, max: number): ValueParser<number> {
  const expected = `a number from ${min} to ${max}`;
  return {
    expected,
    schema: z
      .string()
      .regex(/^(?:\d+(?:\.\d*)?|\.\d+)$/, expected)
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
    .refine((value) => TRUE_WORDS.has(value.toLowerCase()) || FALSE_WORDS.has(value.toLowerCase()), 'not a boolean')
    .transform((value) => TRUE_WORDS.has(value.toLowerCase())),
};

/** Any non-empty string. */
export function text(expected = 'a non-empty value'): ValueParser<string> {
  return { expected, schema: z.string().min(1, expected) };
}

/**
 * One of a fixed list of words; `aliases` maps older words to the word they now read as (flags accept them too).
 * @example oneOf(['native', 'fastertransformer'], { triton: 'fastertransformer' }) // "triton" parses to "fastertransformer"
 */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  aliases: Readonly<Record<string, T[number]>> = {},
): ValueParser<T[number]> {
  const older = Object.entries(aliases);
  const expected = `one of ${values.join(', ')}` + older.map(([alias, value]) => ` (${alias}: the older name of ${value})`).join('');
  const word = z.enum(values, { error: expected });
  if (older.length === 0) return { expected, choices: values, schema: word };
  const schema = z.string().transform((given, context): T[number] => {
    const parsed = word.safeParse(aliases[given] ?? given);
    if (parsed.success) return parsed.data;
    context.addIssue({ code: 'custom', message: expected });
    return z.NEVER;
  });
  return { expected, choices: [...values, ...older.map(([alias]) => alias)], schema };
}

// Kubernetes resource.Quantity (k8s.io/apimachinery pkg/api/resource/quantity.go): <signedNumber><suffix>, suffix one of
// the binary Ki..Ei, the decimal n u m "" k M G T P E, or a decimal exponent e<n>/E<n>.
// https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const QUANTITY_SCALE: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a Kubernetes quantity (bytes for memory); undefined when it is not one. */
export function quantityValue(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (match === null) return undefined;
  const suffix = match[2] ?? '';
  const scale = /^[eE][+-]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (QUANTITY_SCALE[suffix] ?? 1);
  return Number(match[1]) * scale;
}

/** Smallest memory limit accepted: below it Node.js and onnxruntime cannot even start. */
export const MIN_MEMORY_BYTES = 128 * 2 ** 20;
/** Largest memory limit accepted: above the largest Compute Engine machine (X4, 32 TB). */
export const MAX_MEMORY_BYTES = 64 * 2 ** 40;

const QUANTITY_EXPECTED = 'a Kubernetes quantity such as 16Gi, 512Mi or 8G (binary suffixes Ki..Ei, decimal k..E)';

/** A Kubernetes memory quantity such as 16Gi, 512Mi or 8G, from 128Mi to 64Ti. */
export const quantity: ValueParser<string> = {
  expected: `${QUANTITY_EXPECTED}, at least 128Mi and at most 64Ti`,
  schema: z.string().superRefine((text, context) => {
    const bytes = quantityValue(text);
    if (bytes === undefined) context.addIssue({ code: 'custom', message: `not ${QUANTITY_EXPECTED.replace(/ such as.*/, '')}` });
    else if (!(bytes >= MIN_MEMORY_BYTES)) context.addIssue({ code: 'custom', message: 'memory below 128Mi cannot run the server' });
    else if (!(bytes <= MAX_MEMORY_BYTES)) context.addIssue({ code: 'custom', message: 'memory above 64Ti fits no machine' });
  }),
};

// Kubernetes object names (IsDNS1123Label / IsDNS1035Label in k8s.io/apimachinery pkg/util/validation/validation.go).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC 1123 DNS label (Kubernetes object names). */
export const dnsLabel: ValueParser<string> = {
  expected: 'a DNS-1123 label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
  schema: z.string().max(63, 'longer than 63 characters').regex(DNS_LABEL, 'not a DNS-1123 label'),
};

/** Longest MODEL_NAME: the conversion Job is MODEL_NAME-convert and its pods carry it as a 63-character label value. */
const MODEL_NAME_MAX = 63 - '-convert'.length;

/** MODEL_NAME: names a Service (DNS-1035: starts with a letter) and the Job MODEL_NAME-convert. */
export const modelName: ValueParser<string> = {
  expected: `a DNS-1035 label (Service names): at most ${MODEL_NAME_MAX} characters of a-z, 0-9 and "-", starting with a letter and ending with a letter or digit`,
  schema: z
    .string()
    .max(MODEL_NAME_MAX, `longer than ${MODEL_NAME_MAX} characters (the Job is MODEL_NAME-convert)`)
    .regex(DNS_1035_LABEL, 'not a DNS-1035 label (a Kubernetes Service name)'),
};

// GKE cluster names: "must start with a lowercase letter followed by up to 39 lowercase letters, numbers, or hyphens,
// and can't end with a hyphen" (https://cloud.google.com/kubernetes-engine/docs/how-to/creating-a-zonal-cluster).
const CLUSTER_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CLUSTER_NAME_MAX = 40;

/** A GKE cluster name; `suffix` is appended by us (NAME_PREFIX + "-gke") and counts against the 40 characters. */
export function clusterName(suffix = ''): ValueParser<string> {
  const max = CLUSTER_NAME_MAX - suffix.length;
  const what = suffix === '' ? 'a GKE cluster name' : `a prefix of a GKE cluster name (the cluster is named PREFIX${suffix})`;
  return {
    expected: `${what}: at most ${max} characters of a-z, 0-9 and "-", starting with a letter and not ending with "-"`,
    schema: z
      .string()
      .max(max, `longer than ${max} characters`)
      .regex(CLUSTER_NAME, 'not a GKE cluster name (lower-case letters, digits and "-", starting with a letter)'),
  };
}

// Project ids: "6 to 30 lowercase letters, digits, or hyphens. It must start with a letter. Trailing hyphens are
// prohibited." (https://cloud.google.com/resource-manager/docs/creating-managing-projects). Shorter ones are
// accepted with a note (PROJECT_ID_MIN_LENGTH): `render` of an example spec needs no real project.
const PROJECT_ID = /^[a-z](?:[-a-z0-9]{0,28}[a-z0-9])?$/;

/** The shortest id GCP gives a project; a shorter PROJECT_ID gets a note (it cannot name a real project). */
export const PROJECT_ID_MIN_LENGTH = 6;

/** A GCP project id such as my-project-42. */
export const projectId: ValueParser<string> = {
  expected: 'a GCP project id: up to 30 characters of a-z, 0-9 and "-", starting with a letter and not ending with "-"',
  schema: z.string().regex(PROJECT_ID, 'not a GCP project id'),
};

// Service account ids are 6-30 characters, [a-z]([-a-z0-9]*[a-z0-9]) (https://cloud.google.com/iam/docs/service-accounts-create);
// the Compute Engine default is PROJECT_NUMBER-compute@developer.gserviceaccount.com
// (https://cloud.google.com/compute/docs/access/service-accounts#default_service_account).
const USER_SERVICE_ACCOUNT = /^([a-z][-a-z0-9]{4,28}[a-z0-9])@([a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;
const COMPUTE_SERVICE_ACCOUNT = /^\d+-compute@developer\.gserviceaccount\.com$/;

/** A Google service account e-mail (a user-managed one or the Compute Engine default). */
export const serviceAccountEmail: ValueParser<string> = {
  expected:
    'NAME@PROJECT_ID.iam.gserviceaccount.com (NAME 6-30 characters of a-z, 0-9 and "-", starting with a letter) or PROJECT_NUMBER-compute@developer.gserviceaccount.com',
  schema: z.string().superRefine((text, context) => {
    if (USER_SERVICE_ACCOUNT.test(text) || COMPUTE_SERVICE_ACCOUNT.test(text)) return;
    const name = /^([^@]*)@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/.exec(text)?.[1];
    const message =
      name === undefined
        ? 'not a Google service account e-mail'
        : `service account name "${name}" is not 6-30 characters of a-z, 0-9 and "-"`;
    context.addIssue({ code: 'custom', message });
  }),
};

/** A GKE accelerator type (the node label cloud.google.com/gke-accelerator), such as nvidia-l4. */
export const acceleratorType: ValueParser<string> = {
  expected: 'a GKE accelerator type such as nvidia-l4 or nvidia-tesla-a100 (a-z, 0-9 and "-", at most 63 characters)',
  schema: z.string().max(63, 'longer than 63 characters (a label value)').regex(DNS_LABEL, 'not a GKE accelerator type'),
};

function modelLocation(role: ModelSourceReading['role']): ValueParser<string> {
  return {
    expected: role === 'source' ? MODEL_SOURCE_FORMS : MODEL_DESTINATION_FORMS,
    schema: z
      .string()
      .min(1, 'empty')
      .superRefine((value, context) => {
        const issue = modelSourceIssue(value, { role });
        if (issue !== undefined) context.addIssue({ code: 'custom', message: issue });
      }),
  };
}

/** gs://bucket/path, /gcs/bucket/path, hf://org/name[@revision], org/name, file://path or a local directory; a bad one says what it was taken as. */
export const modelSource: ValueParser<string> = modelLocation('source');

/** Where converted models are written: the same forms, but a local path need not exist yet. */
export const uploadTarget: ValueParser<string> = modelLocation('destination');

/** An HTTP(S) URL. */
export const httpUrl: ValueParser<string> = {
  expected: 'an http:// or https:// URL',
  schema: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'not an http:// or https:// URL'),
};

/** An absolute URL path starting with "/". */
export const routePath: ValueParser<string> = {
  expected: 'a URL path starting with "/"',
  schema: z.string().regex(/^\/\S*$/, 'not a URL path starting with "/"'),
};

/** A GCP zone such as us-central1-a. */
export const zone: ValueParser<string> = {
  expected: 'a GCP zone such as us-central1-a',
  schema: z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'not a GCP zone'),
};

/** A GCP region such as us-central1. */
export const region: ValueParser<string> = {
  expected: 'a GCP region such as us-central1',
  schema: z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'not a GCP region'),
};

// Image references, distribution/reference grammar (https://github.com/distribution/reference/blob/main/reference.go):
// reference := name [":" tag] ["@" digest]; name := [domain "/"] path-component ["/" path-component]*;
// domain := domain-component ["." domain-component]* [":" port]; path-component := [a-z0-9]+ (separator [a-z0-9]+)*;
// separator := [_.] | "__" | "-"+; tag := [\w][\w.-]{0,127}; the name is at most 255 characters.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::\\d+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*';
const IMAGE_NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_NAME_MAX = 255;

function imageNameIssue(name: string): string | undefined {
  if (name.length > IMAGE_NAME_MAX) return `image name longer than ${IMAGE_NAME_MAX} characters`;
  if (IMAGE_NAME.test(name)) return undefined;
  // the registry may hold upper case, the repository path may not: a frequent mistake, so it is named
  const parts = name.split('/');
  const registry = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '') ? parts.slice(0, 1) : [];
  const lowered = [...registry, ...parts.slice(registry.length).map((part) => part.toLowerCase())].join('/');
  if (lowered !== name && IMAGE_NAME.test(lowered)) return 'image repository path must be lower-case';
  return 'not an image name';
}

/** A container image name without tag or digest, such as ghcr.io/org/llm-deploy. */
export const imageName: ValueParser<string> = {
  expected: 'a container image name without tag, such as ghcr.io/org/llm-deploy ([registry[:port]/]path, lower-case path)',
  schema: z.string().superRefine((text, context) => {
    const lastSlash = text.lastIndexOf('/');
    if (text.includes('@') || text.slice(lastSlash + 1).includes(':')) {
      context.addIssue({ code: 'custom', message: 'give the image name without tag or digest (the tag has its own setting)' });
      return;
    }
    const issue = imageNameIssue(text);
    if (issue !== undefined) context.addIssue({ code: 'custom', message: issue });
  }),
};

/** An image tag: [A-Za-z0-9_] then up to 127 of [A-Za-z0-9_.-]. */
export const imageTag: ValueParser<string> = {
  expected: 'an image tag: [A-Za-z0-9_] followed by [A-Za-z0-9_.-], at most 128 characters',
  schema: z.string().regex(IMAGE_TAG, 'not an image tag'),
};

/** A full image reference, such as nvcr.io/nvidia/tritonserver:22.12-py3 or name@sha256:<64 hex>. */
export const imageReference: ValueParser<string> = {
  expected: 'a container image reference [registry[:port]/]path[:tag][@sha256:<64 hex digits>], lower-case path',
  schema: z.string().superRefine((text, context) => {
    const issue = imageReferenceIssue(text);
    if (issue !== undefined) context.addIssue({ code: 'custom', message: issue });
  }),
};

function imageReferenceIssue(text: string): string | undefined {
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined && !IMAGE_DIGEST.test(digest)) return 'digest is not sha256: followed by 64 hex digits';
  const nameAndTag = at === -1 ? text : text.slice(0, at);
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined && !IMAGE_TAG.test(tag)) return 'not an image tag after ":"';
  return imageNameIssue(hasTag ? nameAndTag.slice(0, colon) : nameAndTag);
}
