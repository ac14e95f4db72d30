/**
 * The Vertex AI prediction body our `/infer` route speaks: `{"instances": [...], "parameters"?: {...}}`
 * (`config` is the original server's name for `parameters`; both at once is a 400), and the
 * `{"predictions": [...]}` answer with optional timing metrics.
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from './errors.js';
import { arithmeticRangeIssue, type GenerationSettings } from './generation-settings.js';
import { hfSettingsSchema, hfSettingsToGenerationSettings } from './hf-settings.js';
import { renderValue, zodError } from './zod-error.js';

const prompt = z.string().min(1, 'a non-empty string');

/** An instance: a prompt string, or `{"inputs": str}` (TGI on Vertex) or `{"prompt": str}`. */
const instanceSchema = z.union([prompt, z.strictObject({ inputs: prompt }), z.strictObject({ prompt })], {
  error: 'a non-empty string, {"inputs": "..."} or {"prompt": "..."}',
});

/** Schema of the `/infer` body. */
export const vertexPredictRequestSchema = z.strictObject({
  instances: z.array(instanceSchema).min(1, 'at least one instance'),
  parameters: hfSettingsSchema.optional(),
  config: hfSettingsSchema.optional(),
});

/** The raw `/infer` body. */
export type VertexPredictRequestV1 = z.infer<typeof vertexPredictRequestSchema>;

/** A parsed `/infer` request: prompts in order and the settings (from `parameters` or `config`). */
export interface VertexInferRequest {
  readonly instances: readonly string[];
  readonly settings: GenerationSettings;
}

/**
 * Parses and checks an `/infer` body; every mistake is a 400 naming the field.
 * @example parseVertexPredictRequest({ instances: ['translate English to German: hi'], parameters: { max_new_tokens: 32 } })
 */
export function parseVertexPredictRequest(body: unknown): VertexInferRequest {
  const parsed = vertexPredictRequestSchema.safeParse(body);
  if (!parsed.success) {
    const settings = Object.keys(hfSettingsSchema.shape);
    const knownKeys = { '': Object.keys(vertexPredictRequestSchema.shape), parameters: settings, config: settings };
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
  const settings = hfSettingsToGenerationSettings(parameters ?? config ?? {});
  const issue = arithmeticRangeIssue(settings);
  if (issue !== undefined) {
    throw protocolError('too small for the logits arithmetic', {
      code: PROTOCOL_ERROR_CODES.parameterInvalid,
      field: `${config === undefined ? 'parameters' : 'config'}.${issue.wireName}`,
      given: renderValue(issue.given),
      expected: `at least ${issue.minimum}`,
    });
  }
  return {
    instances: instances.map((instance) =>
      typeof instance === 'string' ? instance : 'inputs' in instance ? instance.inputs : instance.prompt,
    ),
    settings,
  };
}

/** One prediction: the generated text, or a list when `num_return_sequences` > 1. */
export type VertexPrediction = string | readonly string[];

/** Milliseconds spent per stage of one `/infer` call. */
export interface VertexTimingsMs {
  readonly preprocessMs: number;
  readonly predictionMs: number;
  readonly postprocessMs: number;
}

/** A metrics entry as the original server wrote it: values in ms, as strings with 5 decimals. */
export interface VertexMetricsEntry {
  readonly preprocess: string;
  readonly prediction: string;
  readonly postprocess: string;
  readonly unit: 'ms';
}

/** The `/infer` answer. */
export interface VertexPredictResponseV1 {
  readonly predictions: readonly VertexPrediction[];
  readonly metrics?: readonly VertexMetricsEntry[];
}

/**
 * Builds the answer; `timings` (only with `?metrics=true`) adds one metrics entry.
 * @example vertexPredictResponse(['Hallo'], { preprocessMs: 0.4, predictionMs: 12, postprocessMs: 0.1 })
 */
export function vertexPredictResponse(predictions: readonly VertexPrediction[], timings?: VertexTimingsMs): VertexPredictResponseV1 {
  if (timings === undefined) return { predictions };
  const format = (ms: number): string => ms.toFixed(5);
  return {
    predictions,
    metrics: [
      {
        preprocess: format(timings.preprocessMs),
        prediction: format(timings.predictionMs),
        postprocess: format(timings.postprocessMs),
        unit: 'ms',
      },
    ],
  };
}
