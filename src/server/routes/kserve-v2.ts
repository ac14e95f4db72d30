/**
 * KServe v2 / Open Inference Protocol routes served by the native backend, with the Triton binary
 * tensor extension and gzip/deflate request bodies. The model speaks the FasterTransformer T5
 * tensor contract, so clients written for Triton work unchanged; Triton's model configuration,
 * statistics and repository-index calls answer as Triton does. Triton's text-in, text-out generate
 * extension serves every model (kserve-generate.ts); the tensor contract is T5's, so a decoder-only
 * model is refused there with a pointer to the extension. Limits: the JSON part (the whole
 * body without `Inference-Header-Content-Length`) is held to `bodyLimitBytes`, like every JSON
 * route; only binary tensor data may use `binaryBodyLimitBytes`. Compressed bodies are held to the
 * same limits while they inflate.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  FT_T5_MODEL_NAME,
  INFERENCE_HEADER_CONTENT_LENGTH,
  buildFtT5Outputs,
  decodeInferRequest,
  encodeInferResponse,
  ftOptionField,
  ftRowToGenerationOptions,
  ftT5ModelConfig,
  ftT5ModelMetadata,
  parseFtT5Inputs,
  parseJsonText,
  serverMetadata,
} from '../../protocol/index.js';
import { invalidBody, jsonTooLarge, notFound, notReady } from '../errors.js';
import { clientDisconnectSignal, generateAll } from '../generation.js';
import { inflateBody } from '../inflate-body.js';
import { checkFtRows } from '../kserve/ft-limits.js';
import { ModelStats } from '../kserve/model-stats.js';
import { parseBody } from '../params/parse-body.js';
import { resolveOptions } from '../params/resolve-options.js';
import type { LoadedModel, ServerRuntime } from '../runtime.js';
import { registerGenerateExtension } from './kserve-generate.js';

/** The model name of the FasterTransformer contract. */
export const KSERVE_MODEL_NAME = FT_T5_MODEL_NAME;
const MODEL_VERSION = '1';
const SERVER_VERSION = '0.1.0';
const METADATA = ftT5ModelMetadata({ platform: 'llm-deploy_native', versions: [MODEL_VERSION] });

/** Registers the `/v2` routes (in their own scope: bodies arrive as raw bytes). */
export function registerKserveRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
  const stats = new ModelStats(KSERVE_MODEL_NAME, MODEL_VERSION);
  app.get('/v2', async () => serverMetadata({ version: SERVER_VERSION }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async () => {
    const readiness = await runtime.readiness();
    if (!readiness.ready) throw notReady(readiness.reason ?? 'not ready');
    return { ready: true };
  });
  for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get(prefix, async (request) => {
      checkModel(request);
      return METADATA;
    });
    app.get(`${prefix}/ready`, async (request) => {
      checkModel(request);
      const readiness = await runtime.readiness();
      if (!readiness.ready) throw notReady(readiness.reason ?? 'not ready');
      return { name: KSERVE_MODEL_NAME, ready: true };
    });
    app.get(`${prefix}/config`, async (request) => {
      checkModel(request);
      return ftT5ModelConfig({ maxBatchSize: runtime.options.maxInstances });
    });
    app.get(`${prefix}/stats`, async (request) => {
      checkModel(request);
      return { model_stats: [stats.snapshot()] };
    });
  }
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
      // the route's own limit, so a 413 names the limit that applied (request.routeOptions.bodyLimit)
      scope.post(`${prefix}/infer`, { bodyLimit: runtime.options.binaryBodyLimitBytes }, async (request, reply) => {
        checkModel(request);
        const started = performance.now();
        try {
          return await infer(runtime, request, reply, stats);
        } catch (error) {
          stats.recordFailure(performance.now() - started);
          throw error;
        }
      });
    }
    registerGenerateExtension(scope, runtime, {
      checkModel: (request) => checkGenerateModel(runtime, request),
      modelVersion: MODEL_VERSION,
    });
    registerRepositoryIndex(scope, runtime);
  });
}

/** `POST /v2/repository/index`: the one model and its state, as Triton lists it. */
function registerRepositoryIndex(scope: FastifyInstance, runtime: ServerRuntime): void {
  // read as raw bytes: tritonclient posts the index call with an empty body and no content type
  scope.post('/v2/repository/index', async (request) => {
    const options = parseBody(indexSchema, parseJsonBody(request.body), 'body');
    const readiness = await runtime.readiness();
    const entry = {
      name: KSERVE_MODEL_NAME,
      version: MODEL_VERSION,
      state: readiness.ready ? 'READY' : 'UNAVAILABLE',
      reason: readiness.ready ? '' : (readiness.reason ?? 'not ready'),
    };
    return options.ready === true && !readiness.ready ? [] : [entry];
  });
}

const indexSchema = z.strictObject({ ready: z.boolean().optional() });

/** The index call's optional JSON body, through the one JSON reader (nesting bounded, prototype keys refused). */
function parseJsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  return parseJsonText(body.toString('utf8'), 'request', { expected: 'a JSON object such as {"ready": true}' });
}

const pathSchema = z.object({ name: z.string(), version: z.string().optional() });

function checkModel(request: FastifyRequest): void {
  const params = parseBody(pathSchema, request.params, 'path');
  if (params.name !== KSERVE_MODEL_NAME) throw notFound(`model '${params.name}'`);
  if (params.version !== undefined && params.version !== MODEL_VERSION) {
    throw notFound(`version '${params.version}' of model '${KSERVE_MODEL_NAME}'`);
  }
}

/** The generate extension answers to the contract's name and to the served model's own name. */
function checkGenerateModel(runtime: ServerRuntime, request: FastifyRequest): string {
  const params = parseBody(pathSchema, request.params, 'path');
  const served = runtime.options.modelName ?? runtime.model().backend.info.modelName;
  if (params.name !== KSERVE_MODEL_NAME && params.name !== served) throw notFound(`model '${params.name}'`);
  if (params.version !== undefined && params.version !== MODEL_VERSION) {
    throw notFound(`version '${params.version}' of model '${params.name}'`);
  }
  return params.name;
}

async function infer(runtime: ServerRuntime, request: FastifyRequest, reply: FastifyReply, stats: ModelStats): Promise<unknown> {
  const started = performance.now();
  const rawHeader = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
  const header = Array.isArray(rawHeader) ? rawHeader[0] : rawHeader;
  const { bodyLimitBytes, binaryBodyLimitBytes } = runtime.options;
  const body = await decompress(request, header === undefined ? bodyLimitBytes : binaryBodyLimitBytes);
  if (header === undefined ? body.length > bodyLimitBytes : Number(header.trim()) > bodyLimitBytes) throw jsonTooLarge(bodyLimitBytes);
  const model = runtime.model();
  refuseUncovered(model);
  const decoded = decodeInferRequest(body, { inferenceHeaderContentLength: header, modelInputs: METADATA.inputs });
  const rows = parseFtT5Inputs(decoded.inputs);
  checkFtRows(rows, {
    maxBatch: runtime.options.maxInstances,
    maxInputTokens: Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens),
    startId: model.tokenizer.padTokenId,
    endId: model.tokenizer.eosTokenId,
  });
  const jobs = rows.map((row, index) => ({
    inputIds: row.inputIds,
    params: resolveOptions(runtime, model, ftRowToGenerationOptions(row), ftOptionField(index)),
    returnLogProbs: row.returnLogProbs,
  }));
  const clientSignal = clientDisconnectSignal(reply);
  const results = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, jobs));
  const queueMs = Math.max(0, ...results.map((result) => result.timings.queueMs));
  const totalMs = performance.now() - started;
  stats.recordSuccess(rows.length, {
    totalMs,
    queueMs,
    inferMs: Math.max(0, ...results.map((result) => result.timings.totalMs)) - queueMs,
  });
  const outputs = buildFtT5Outputs(
    results.map((result) => result.sequences),
    { returnLogProbs: rows.some((row) => row.returnLogProbs), endId: model.tokenizer.eosTokenId },
  );
  const encoded = encodeInferResponse(
    {
      modelName: KSERVE_MODEL_NAME,
      modelVersion: MODEL_VERSION,
      ...(decoded.id === undefined ? {} : { id: decoded.id }),
      outputs,
    },
    { ...(decoded.outputs === undefined ? {} : { outputs: decoded.outputs }), binaryDataOutput: decoded.binaryDataOutput },
  );
  return reply.headers(encoded.headers).send(encoded.body);
}

/**
 * The FasterTransformer tensors are T5's (encoder input ids, decoder output ids): a decoder-only model speaks text
 * through the generate extension, and an encoder-decoder family the contract does not cover (BART) is refused by name.
 */
function refuseUncovered(model: LoadedModel): void {
  const { architecture, modelName, family } = model.backend.info;
  if (architecture === 'decoder-only') {
    throw invalidBody('the FasterTransformer infer contract serves encoder-decoder (T5) models only', {
      field: 'model',
      given: `decoder-only model '${modelName}'`,
      expected: `POST /v2/models/${KSERVE_MODEL_NAME}/generate (or generate_stream) with {"text_input": "..."}`,
    });
  }
  if (family !== undefined && !family.fasterTransformerContract) {
    throw invalidBody("FasterTransformer's T5 tensor contract does not cover this model family", {
      field: 'model',
      given: `${family.name} model '${modelName}'`,
      expected:
        `a T5-family model (t5, mt5, umt5: FasterTransformer's T5) on this route; for this one POST /infer, /v1/completions or ` +
        `/v2/models/${KSERVE_MODEL_NAME}/generate with {"text_input": "..."}`,
    });
  }
}

/** Inflates gzip/deflate bodies (Triton accepts both), stopping at `limitBytes` of output. */
async function decompress(request: FastifyRequest, limitBytes: number): Promise<Buffer> {
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw invalidBody('missing request body', { field: 'body', expected: 'a KServe v2 infer request' });
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw invalidBody('unsupported Content-Encoding', {
      field: 'Content-Encoding',
      given: encoding,
      expected: 'gzip, deflate or identity',
    });
  }
  return inflateBody(body, { encoding, limitBytes });
}
