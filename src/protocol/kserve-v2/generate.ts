/**
 * Triton's generate extension (`POST /v2/models/{name}/generate` and `generate_stream`):
 * `{"id"?, "text_input", "parameters"?}` -> `{"id"?, "model_name", "model_version", "text_output"}`
 * (https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_generate.md).
 * Parameters are model-specific there; we take the names Triton's LLM backends read, either inside
 * `parameters` or as top-level fields ("any additional properties in the request object are passed
 * either as parameters or tensors"), and refuse any other name.
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from '../errors.js';
import { definedOnly, type GenerationOptions } from '../generation-options.js';
import { renderValue } from '../render-value.js';
import { zodError } from '../zod-error.js';

const count = (min: number) => z.number().int().min(min).max(1_000_000);

/** Known parameters; values are `$string | $number | $boolean` as the extension allows, checked per name. */
const parameterSchemas = {
  max_tokens: count(1),
  min_tokens: count(0),
  // 0 is greedy decoding, as on every route
  temperature: z.number().min(0).max(1000),
  top_k: count(0),
  top_p: z.number().gt(0).max(1),
  repetition_penalty: z.number().gt(0).max(1000),
  beam_width: z.number().int().min(1).max(256),
  // vLLM's name and TensorRT-LLM's name for the sampling seed
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  random_seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  stream: z.boolean(),
  exclude_input_in_output: z.boolean(),
  // TensorRT-LLM's ensemble example sends both empty; word lists are not supported
  bad_words: z.literal(''),
  stop_words: z.literal(''),
} as const;

type ParameterName = keyof typeof parameterSchemas;
const PARAMETER_NAMES = Object.keys(parameterSchemas);

function isParameterName(name: string): name is ParameterName {
  return Object.hasOwn(parameterSchemas, name);
}

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'a string, number or boolean' });

/** Schema of the generate request envelope; parameter values are checked by name afterwards. */
export const generateRequestSchema = z
  .object({
    id: z.string().optional(),
    text_input: z.string({ error: 'a string' }),
    parameters: z.record(z.string(), scalar).optional(),
  })
  .catchall(scalar);

/** A parsed generate request. */
export interface GenerateExtensionRequest {
  readonly id?: string;
  readonly textInput: string;
  readonly settings: GenerationOptions;
  /** Where each option was written (`parameters.max_tokens` or `max_tokens`), for refusals. */
  readonly fieldName: (option: keyof GenerationOptions) => string;
  /** Where a parameter was written (`parameters.stream` or `stream`), for the route's refusals. */
  readonly parameterField: (name: 'stream' | 'exclude_input_in_output') => string;
  /** `stream` as given; absent: the route decides. */
  readonly stream?: boolean;
  /** `exclude_input_in_output` as given; absent: the route's default. */
  readonly excludeInputInOutput?: boolean;
}

const OPTION_PARAMETERS: Partial<Record<keyof GenerationOptions, ParameterName>> = {
  maxNewTokens: 'max_tokens',
  minNewTokens: 'min_tokens',
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
  repetitionPenalty: 'repetition_penalty',
  numBeams: 'beam_width',
  doSample: 'temperature',
};

/**
 * Parses a generate request; an unknown parameter, a wrong value or one given twice is a 400 naming it.
 * @example parseGenerateRequest({ text_input: 'translate English to German: Hello', parameters: { max_tokens: 20 } })
 */
export function parseGenerateRequest(body: unknown): GenerateExtensionRequest {
  const parsed = generateRequestSchema.safeParse(body);
  if (!parsed.success) {
    const knownKeys = { '': ['id', 'text_input', 'parameters', ...PARAMETER_NAMES] };
    throw zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what: 'generate request', knownKeys });
  }
  const { id, text_input: textInput, parameters = {}, ...topLevel } = parsed.data;
  const values = new Map<ParameterName, unknown>();
  const fields = new Map<ParameterName, string>();
  const take = (name: string, value: unknown, field: string): void => {
    if (!isParameterName(name)) invalid(field, value, `one of the parameters ${PARAMETER_NAMES.join(', ')}`);
    if (values.has(name)) invalid(field, value, `"${name}" once (it is also given as ${fields.get(name) ?? name})`);
    const checked = parameterSchemas[name].safeParse(value);
    if (!checked.success) invalid(field, value, checked.error.issues[0]?.message ?? 'a valid value');
    values.set(name, checked.data);
    fields.set(name, field);
  };
  for (const [name, value] of Object.entries(parameters)) take(name, value, `parameters.${name}`);
  for (const [name, value] of Object.entries(topLevel)) take(name, value, name);
  const number = (name: ParameterName): number | undefined => {
    const value = values.get(name);
    return typeof value === 'number' ? value : undefined;
  };
  const flag = (name: ParameterName): boolean | undefined => {
    const value = values.get(name);
    return typeof value === 'boolean' ? value : undefined;
  };
  if (values.has('seed') && values.has('random_seed')) invalid('random_seed', values.get('random_seed'), 'one of "seed" and "random_seed"');
  const temperature = number('temperature');
  const settings = definedOnly<GenerationOptions>({
    maxNewTokens: number('max_tokens'),
    minNewTokens: number('min_tokens'),
    // sampling only when asked for with a positive temperature; otherwise the model's own defaults
    doSample: temperature === undefined ? undefined : temperature > 0,
    temperature: temperature !== undefined && temperature > 0 ? temperature : undefined,
    topK: number('top_k'),
    topP: number('top_p'),
    repetitionPenalty: number('repetition_penalty'),
    numBeams: number('beam_width'),
    seed: number('seed') ?? number('random_seed'),
  });
  const stream = flag('stream');
  const excludeInputInOutput = flag('exclude_input_in_output');
  return {
    ...(id === undefined ? {} : { id }),
    textInput,
    settings,
    fieldName: (option) => {
      const name = option === 'seed' ? (fields.has('random_seed') ? 'random_seed' : 'seed') : OPTION_PARAMETERS[option];
      return name === undefined ? option : (fields.get(name) ?? `parameters.${name}`);
    },
    parameterField: (name) => fields.get(name) ?? name,
    ...(stream === undefined ? {} : { stream }),
    ...(excludeInputInOutput === undefined ? {} : { excludeInputInOutput }),
  };
}

function invalid(field: string, value: unknown, expected: string): never {
  throw protocolError('invalid generate parameter', {
    code: PROTOCOL_ERROR_CODES.parameterInvalid,
    field,
    given: renderValue(value),
    expected,
  });
}

/** One generate answer (or one `generate_stream` event). */
export interface GenerateExtensionResponseV1 {
  readonly id?: string;
  readonly model_name: string;
  readonly model_version: string;
  readonly text_output: string;
}

/**
 * Builds the answer; `id` is echoed when the request had one, as the extension requires.
 * @example generateResponse({ modelName: 'fastertransformer', modelVersion: '1', textOutput: 'Hallo' })
 */
export function generateResponse(facts: {
  readonly id?: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly textOutput: string;
}): GenerateExtensionResponseV1 {
  return {
    ...(facts.id === undefined ? {} : { id: facts.id }),
    model_name: facts.modelName,
    model_version: facts.modelVersion,
    text_output: facts.textOutput,
  };
}
