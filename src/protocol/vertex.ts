/**
 * The Vertex AI prediction body our `/infer` route speaks: `{"instances": [...], "parameters"?: {...}}`
 * (`config` is the original server's name for `parameters`; both at once is a 400), and the
 * `{"predictions": [...]}` answer with optional timing metrics. The envelope's `labels` is
 * accepted and ignored, as Vertex does outside Imagen
 * (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.endpoints/predict).
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from './errors.js';
import type { GenerationOptions, OptionFieldName } from './generation-options.js';
import { HF_OPTION_NAMES, hfSettingsSchema, hfSettingsToGenerationOptions } from './hf-settings.js';
import { zodError } from './zod-error.js';

const prompt = z.string().min(1, 'a non-empty string');

/**
 * An instance: a prompt string, `{"prompt": str}`, or TGI's Vertex instance `{"inputs": str,
 * "parameters"?: {...}}` whose own settings win over the request's
 * (https://huggingface.co/docs/text-generation-inference/en/reference/api_reference, Vertex AI).
 */
const instanceSchema = z.union(
  [prompt, z.strictObject({ inputs: prompt, parameters: hfSettingsSchema.optional() }), z.strictObject({ prompt })],
  {
    error: 'a non-empty string, {"inputs": "..."} ("parameters" optional) or {"prompt": "..."}',
  },
);

/** Schema of the `/infer` body. */
export const vertexPredictRequestSchema = z.strictObject({
  instances: z.array(instanceSchema).min(1, 'at least one instance'),
  parameters: hfSettingsSchema.optional(),
  config: hfSettingsSchema.optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

/** The raw `/infer` body. */
export type VertexPredictRequestV1 = z.infer<typeof vertexPredictRequestSchema>;

/** One instance: its prompt and its settings (the request's, with the instance's own `parameters` over them). */
export interface VertexInstance {
  readonly prompt: string;
  readonly options: GenerationOptions;
  /** Where its settings were written: `parameters.x`, `config.x` or `instances[i].parameters.x`. */
  readonly fieldName: OptionFieldName;
  /**
   * `return_full_text` (the instance's own over the request's): false answers a decoder-only model's
   * continuation only; absent or true, prompt and continuation as the original server did. An
   * encoder-decoder model's output never holds the prompt, so there it changes nothing.
   */
  readonly returnFullText?: boolean;
}

/** A parsed `/infer` request: instances in order and the request-level settings (from `parameters` or `config`). */
export interface VertexInferRequest {
  readonly instances: readonly VertexInstance[];
  readonly settings: GenerationOptions;
}

/**
 * Parses and checks an `/infer` body; every mistake is a 400 naming the field.
 * @example parseVertexPredictRequest({ instances: ['translate English to German: hi'], parameters: { max_new_tokens: 32 } })
 */
export function parseVertexPredictRequest(body: unknown): VertexInferRequest {
  const parsed = vertexPredictRequestSchema.safeParse(body);
  if (!parsed.success) {
    const settings = Object.keys(hfSettingsSchema.shape);
    const count =
      typeof body === 'object' && body !== null && 'instances' in body && Array.isArray(body.instances) ? body.instances.length : 0;
    const perInstance = Array.from({ length: count }, (_, index) => [`instances[${index}].parameters`, settings] as const);
    const knownKeys = {
      '': Object.keys(vertexPredictRequestSchema.shape),
      parameters: settings,
      config: settings,
      ...Object.fromEntries(perInstance),
    };
    throw zodError(parsed.error, body, { code: PROTOCOL_ERROR_CODES.parameterInvalid, what: '/infer body', knownKeys });
  }
  const { instances, parameters, config } = parsed.data;
  if (parameters !== undefined && config !== undefined) {
    throw protocolError('generation settings given twice', {
      code: PROTOCOL_ERROR_CODES.parameterInvalid,
      field: 'parameters',
      given: 'both "parameters" and "config"',
      expected: 'one of them ("parameters" as Vertex AI sends, or "config")',
    });
  }
  const requestSettings = parameters ?? config ?? {};
  const settings = hfSettingsToGenerationOptions(requestSettings);
  const fullText = requestSettings.return_full_text;
  const shared = { options: settings, fieldName: hfFieldsUnder(config === undefined ? 'parameters' : 'config') };
  const withFullText = (instance: Omit<VertexInstance, 'returnFullText'>, own?: boolean): VertexInstance => {
    const returnFullText = own ?? fullText;
    return returnFullText === undefined ? instance : { ...instance, returnFullText };
  };
  return {
    instances: instances.map((instance, index): VertexInstance => {
      if (typeof instance === 'string') return withFullText({ prompt: instance, ...shared });
      if (!('inputs' in instance)) return withFullText({ prompt: instance.prompt, ...shared });
      if (instance.parameters === undefined) return withFullText({ prompt: instance.inputs, ...shared });
      const options = { ...settings, ...hfSettingsToGenerationOptions(instance.parameters) };
      const fieldName = hfFieldsUnder(`instances[${index}].parameters`);
      return withFullText({ prompt: instance.inputs, options, fieldName }, instance.parameters.return_full_text);
    }),
    settings,
  };
}

/** One prediction: the generated text, or a list when `num_return_sequences` > 1. */
export type VertexPrediction = string | readonly string[];

/** What one instance cost: milliseconds per stage, and its token counts. */
export interface VertexTimingsMs {
  readonly preprocessMs: number;
  readonly predictionMs: number;
  readonly postprocessMs: number;
  readonly queueMs: number;
  readonly firstTokenMs: number;
  readonly inputTokens: number;
  readonly generatedTokens: number;
}

/** A metrics entry as the original server wrote it (values in ms, as strings with 5 decimals), plus queue and token figures. */
export interface VertexMetricsEntry {
  readonly preprocess: string;
  readonly prediction: string;
  readonly postprocess: string;
  readonly unit: 'ms';
  readonly queue: string;
  readonly first_token: string;
  readonly input_tokens: number;
  readonly generated_tokens: number;
}

/** The `/infer` answer. */
export interface VertexPredictResponseV1 {
  readonly predictions: readonly VertexPrediction[];
  readonly metrics?: readonly VertexMetricsEntry[];
}

/**
 * Builds the answer; `timings` (only with `?metrics=true`) adds one metrics entry per instance.
 * @example vertexPredictResponse(['Hallo'], [{ preprocessMs: 0.4, predictionMs: 12, postprocessMs: 0.1, queueMs: 0, firstTokenMs: 3, inputTokens: 5, generatedTokens: 2 }])
 */
export function vertexPredictResponse(
  predictions: readonly VertexPrediction[],
  timings?: readonly VertexTimingsMs[],
): VertexPredictResponseV1 {
  if (timings === undefined) return { predictions };
  const format = (ms: number): string => ms.toFixed(5);
  const metrics = timings.map((entry): VertexMetricsEntry => ({
    preprocess: format(entry.preprocessMs),
    prediction: format(entry.predictionMs),
    postprocess: format(entry.postprocessMs),
    unit: 'ms',
    queue: format(entry.queueMs),
    first_token: format(entry.firstTokenMs),
    input_tokens: entry.inputTokens,
    generated_tokens: entry.generatedTokens,
  }));
  return { predictions, metrics };
}

/** Names an option by its HF name under `where`, e.g. `config.max_length`. */
function hfFieldsUnder(where: string): OptionFieldName {
  return (option) => `${where}.${HF_OPTION_NAMES[option]}`;
}
