/**
 * The Vertex AI prediction body our `/infer` route speaks: `{"instances": [...], "parameters"?: {...}}`
 * (`config` is the original server's name for `parameters`; both at once is a 400), and the
 * `{"predictions": [...]}` answer with optional timing metrics. The envelope's `labels` is
 * accepted and ignored, as Vertex does outside Imagen
 * (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.endpoints/predict).
 */
import { z } from 'zod';
import { PROTOCOL_ERROR_CODES, protocolError } from './errors.js';
import { arithmeticRangeIssue, type GenerationSettings } from './generation-settings.js';
import { hfSettingsSchema, hfSettingsToGenerationSettings } from './hf-settings.js';
import { renderValue, zodError } from './zod-error.js';

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

/** A parsed `/infer` request: prompts in order and the settings (from `parameters` or `config`). */
export interface VertexInferRequest {
  readonly instances: readonly string[];
  readonly settings: GenerationSettings;
  /** Per instance: the request's settings with the instance's own `parameters` over them. */
  readonly instanceSettings: readonly GenerationSettings[];
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
  const settings = hfSettingsToGenerationSettings(parameters ?? config ?? {});
  refuseArithmeticRange(settings, config === undefined ? 'parameters' : 'config');
  const instanceSettings = instances.map((instance, index) => {
    if (typeof instance !== 'object' || !('parameters' in instance) || instance.parameters === undefined) return settings;
    const merged = { ...settings, ...hfSettingsToGenerationSettings(instance.parameters) };
    refuseArithmeticRange(merged, `instances[${index}].parameters`);
    return merged;
  });
  return {
    instances: instances.map((instance) =>
      typeof instance === 'string' ? instance : 'inputs' in instance ? instance.inputs : instance.prompt,
    ),
    settings,
    instanceSettings,
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

/** Temperatures and penalties too small for float32 logits are a 400 naming where they were given. */
function refuseArithmeticRange(settings: GenerationSettings, where: string): void {
  const issue = arithmeticRangeIssue(settings);
  if (issue === undefined) return;
  throw protocolError('too small for the logits arithmetic', {
    code: PROTOCOL_ERROR_CODES.parameterInvalid,
    field: `${where}.${issue.wireName}`,
    given: renderValue(issue.given),
    expected: `at least ${issue.minimum}`,
  });
}
