/**
 * KServe v2 / Open Inference Protocol routes served by the native backend, with the Triton binary
 * tensor extension and gzip/deflate request bodies. The model speaks the FasterTransformer T5
 * tensor contract, so clients written for Triton work unchanged.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  INFERENCE_HEADER_CONTENT_LENGTH,
  decodeInferRequest,
  encodeInferResponse,
  serverMetadata,
  type KServeV2ModelMetadata,
} from '../../protocol/index.js';
import { bodyTooLarge, invalidBody, notFound, notReady } from '../errors.js';
import { clientDisconnectSignal, generateAll } from '../generation.js';
import { ftRowsFromTensors } from '../kserve/ft-request.js';
import { ftOutputTensors } from '../kserve/ft-response.js';
import { parseBody } from '../params/parse-body.js';
import type { ServerRuntime } from '../runtime.js';

/** The model name of the FasterTransformer contract. */
export const KSERVE_MODEL_NAME = 'fastertransformer';
const MODEL_VERSION = '1';
const SERVER_VERSION = '0.1.0';

function modelMetadata(): KServeV2ModelMetadata {
  const scalar = (name: string, datatype: 'UINT32' | 'FP32' | 'UINT64' | 'BOOL') => ({ name, datatype, shape: [-1, 1] });
  return {
    name: KSERVE_MODEL_NAME,
    versions: [MODEL_VERSION],
    platform: 'llm-deploy_native',
    inputs: [
      { name: 'input_ids', datatype: 'UINT32', shape: [-1, -1] },
      scalar('sequence_length', 'UINT32'),
      scalar('max_output_len', 'UINT32'),
      scalar('runtime_top_k', 'UINT32'),
      scalar('runtime_top_p', 'FP32'),
      scalar('temperature', 'FP32'),
      scalar('len_penalty', 'FP32'),
      scalar('repetition_penalty', 'FP32'),
      scalar('beam_width', 'UINT32'),
      scalar('random_seed', 'UINT64'),
      scalar('is_return_log_probs', 'BOOL'),
    ],
    outputs: [
      { name: 'output_ids', datatype: 'UINT32', shape: [-1, -1, -1] },
      { name: 'sequence_length', datatype: 'UINT32', shape: [-1, -1] },
      { name: 'cum_log_probs', datatype: 'FP32', shape: [-1, -1] },
      { name: 'output_log_probs', datatype: 'FP32', shape: [-1, -1, -1] },
    ],
  };
}

/** Registers the `/v2` routes (in their own scope: bodies arrive as raw bytes). */
export function registerKserveRoutes(app: FastifyInstance, runtime: ServerRuntime): void {
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
      return modelMetadata();
    });
    app.get(`${prefix}/ready`, async (request) => {
      checkModel(request);
      const readiness = await runtime.readiness();
      if (!readiness.ready) throw notReady(readiness.reason ?? 'not ready');
      return { name: KSERVE_MODEL_NAME, ready: true };
    });
  }
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: runtime.options.binaryBodyLimitBytes }, (_request, body, done) =>
      done(null, body),
    );
    for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
      scope.post(`${prefix}/infer`, async (request, reply) => infer(runtime, request, reply));
    }
  });
}

const pathSchema = z.object({ name: z.string(), version: z.string().optional() });

function checkModel(request: FastifyRequest): void {
  const params = parseBody(pathSchema, request.params, 'path');
  if (params.name !== KSERVE_MODEL_NAME) throw notFound(`model '${params.name}'`);
  if (params.version !== undefined && params.version !== MODEL_VERSION) {
    throw notFound(`version '${params.version}' of model '${KSERVE_MODEL_NAME}'`);
  }
}

async function infer(runtime: ServerRuntime, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  checkModel(request);
  const body = decompress(request, runtime.options.binaryBodyLimitBytes);
  const header = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
  const decoded = decodeInferRequest(body, {
    inferenceHeaderContentLength: Array.isArray(header) ? header[0] : header,
    modelInputs: modelMetadata().inputs,
  });
  const model = runtime.model();
  const rows = ftRowsFromTensors(decoded.inputs, {
    maxNewTokensCap: runtime.options.maxNewTokensCap,
    maxBatch: runtime.options.maxInstances,
    maxInputTokens: Math.min(runtime.options.maxInputTokens, model.backend.info.maxInputTokens),
    eosTokenId: model.tokenizer.eosTokenId,
    decoderStartTokenId: model.tokenizer.padTokenId,
  });
  const jobs = rows.map((row) => ({ inputIds: row.inputIds, params: row.params, returnLogProbs: row.returnLogProbs }));
  const clientSignal = clientDisconnectSignal(reply);
  const results = await runtime.track((controller) => generateAll(runtime, { controller, clientSignal }, jobs));
  const encoded = encodeInferResponse(
    {
      modelName: KSERVE_MODEL_NAME,
      modelVersion: MODEL_VERSION,
      ...(decoded.id === undefined ? {} : { id: decoded.id }),
      outputs: ftOutputTensors(rows, results, model.tokenizer.eosTokenId),
    },
    { ...(decoded.outputs === undefined ? {} : { outputs: decoded.outputs }), binaryDataOutput: decoded.binaryDataOutput },
  );
  return reply.headers(encoded.headers).send(encoded.body);
}

/** Inflates gzip/deflate bodies (Triton accepts both), bounded by the binary body limit. */
function decompress(request: FastifyRequest, limitBytes: number): Buffer {
  const body = request.body;
  if (!Buffer.isBuffer(body)) throw invalidBody('missing request body', { field: 'body', expected: 'a KServe v2 infer request' });
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw invalidBody('unsupported Content-Encoding', { field: 'Content-Encoding', given: encoding, expected: 'gzip, deflate or identity' });
  }
  try {
    return encoding === 'gzip' ? gunzipSync(body, { maxOutputLength: limitBytes }) : inflateSync(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if (error instanceof RangeError) throw bodyTooLarge(limitBytes);
    throw invalidBody(`body is not valid ${encoding} data`, { field: 'body' });
  }
}
