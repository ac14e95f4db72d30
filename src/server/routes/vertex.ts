/**
 * Vertex AI prediction: `POST /infer` (and `AIP_PREDICT_ROUTE`) with `{"instances": [...],
 * "parameters"|"config": {...}}` -> `{"predictions": [...]}`; `?metrics=true` adds timings.
 * The body is parsed by the protocol module; the server adds its limits. A decoder-only model's
 * prediction is the prompt and the continuation decoded together, or the continuation alone with
 * `"return_full_text": false`.
 */
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { parseVertexPredictRequest, vertexPredictResponse, type VertexPrediction, type VertexTimingsMs } from '../../protocol/index.js';
import { invalidField } from '../errors.js';
import { clientDisconnectSignal, encodePrompt, generateAll, type PromptJob } from '../generation.js';
import { parseBody } from '../params/parse-body.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { ServerRuntime } from '../runtime.js';

const querySchema = z.object({ metrics: z.enum(['true', 'false', '1', '0']).optional() });

/** Registers `POST /infer` (`AIP_PREDICT_ROUTE` is registered by the AIP routes, after every built-in). */
export function registerVertexRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  app.post('/infer', vertexPredictHandler(runtime));
}

/** The Vertex predict handler: `{"instances": [...]}` -> `{"predictions": [...]}`. */
export function vertexPredictHandler(runtime: ServerRuntime): RouteHandlerMethod {
  return async (request, reply) => {
    const query = parseBody(querySchema, request.query, 'query');
    const body = parseVertexPredictRequest(request.body);
    if (body.instances.length > runtime.options.maxInstances) {
      throw invalidField('too many instances', {
        field: 'instances',
        given: String(body.instances.length),
        expected: `at most ${runtime.options.maxInstances}`,
      });
    }
    const model = runtime.model();
    // every instance's settings are checked before any prompt is tokenized
    const planned = body.instances.map((instance) => ({
      prompt: instance.prompt,
      params: resolveOptions(runtime, model, instance.options, instance.fieldName),
      withPrompt: model.backend.info.architecture === 'decoder-only' && instance.returnFullText !== false,
    }));
    const encodeMs: number[] = [];
    const jobs: PromptJob[] = [];
    for (const [index, { prompt, params }] of planned.entries()) {
      const started = performance.now();
      const inputIds = await encodePrompt(runtime, model, prompt, { field: `instances[${index}]` });
      encodeMs.push(performance.now() - started);
      jobs.push({ inputIds, params });
    }
    const clientSignal = clientDisconnectSignal(reply);
    const results = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, jobs));
    const timings: VertexTimingsMs[] = [];
    const predictions = results.map((result, index): VertexPrediction => {
      const started = performance.now();
      const prompt = planned[index]?.withPrompt === true ? (jobs[index]?.inputIds ?? []) : [];
      // Hugging Face's causal `generate` returns prompt + new ids and the original server decoded them in one go:
      // decoding the two apart and joining the strings would differ where the tokenizer joins pieces (a leading space)
      const texts = result.sequences.map((sequence) =>
        model.tokenizer.decode([...prompt, ...sequence.tokenIds], { skipSpecialTokens: true }),
      );
      timings.push({
        preprocessMs: encodeMs[index] ?? 0,
        predictionMs: result.timings.totalMs,
        postprocessMs: performance.now() - started,
        queueMs: result.timings.queueMs,
        firstTokenMs: result.timings.firstTokenMs,
        inputTokens: result.inputTokenCount,
        generatedTokens: result.sequences[0]?.tokenIds.length ?? 0,
      });
      return (jobs[index]?.params.numReturnSequences ?? 1) > 1 ? texts : (texts[0] ?? '');
    });
    const withMetrics = query.metrics === 'true' || query.metrics === '1';
    return vertexPredictResponse(predictions, withMetrics ? timings : undefined);
  };
}
