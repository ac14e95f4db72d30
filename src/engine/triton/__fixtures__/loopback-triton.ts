/**
 * Test helper: a loopback HTTP server that speaks Triton's KServe v2 routes for the
 * FasterTransformer T5 contract (health, model ready, infer with the binary extension). It answers
 * each row with ids from a callback and records what it received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LlmDeployError } from '../../../config/index.js';
import { buildFtT5Outputs, decodeInferRequest, encodeInferResponse, parseFtT5Inputs } from '../../../protocol/index.js';
import type { FtT5Row, KServeV2DecodedInferRequest } from '../../../protocol/index.js';

/** How the fake Triton behaves; tests change fields between calls. */
export interface LoopbackTritonBehaviour {
  /** Token ids for a row (without decoder start; include `</s>` to finish by eos). */
  answer: (row: FtT5Row) => number[];
  idDatatype: 'UINT32' | 'INT32';
  /** Put the decoder start id (0) in front of each answer, as some FT builds do. */
  includeStartId: boolean;
  serverReady: boolean;
  modelReady: boolean;
  delayMs: number;
  /** Answer every infer with this status and `{"error": message}`. */
  failure?: { status: number; message: string };
}

/** A running fake Triton. */
export interface LoopbackTriton {
  readonly url: string;
  readonly behaviour: LoopbackTritonBehaviour;
  /** Every infer request, decoded, in arrival order. */
  readonly requests: KServeV2DecodedInferRequest[];
  close(): Promise<void>;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function infer(body: Buffer, headers: IncomingMessage['headers'], state: LoopbackTriton): { status: number; body: Buffer | string; headers: Record<string, string> } {
  const header = headers['inference-header-content-length'];
  const decoded = decodeInferRequest(body, { inferenceHeaderContentLength: typeof header === 'string' ? header : undefined });
  state.requests.push(decoded);
  const rows = parseFtT5Inputs(decoded.inputs);
  const { behaviour } = state;
  const beams = rows.map((row) =>
    Array.from({ length: row.beamWidth }, (_, beam) => {
      const ids = behaviour.answer(row).map((id, index) => (index === 0 ? id + beam : id));
      const tokenIds = behaviour.includeStartId ? [0, ...ids] : ids;
      return { tokenIds, cumLogProb: -0.5 * ids.length, tokenLogProbs: tokenIds.map(() => -0.5) };
    }),
  );
  const outputs = buildFtT5Outputs(beams, { returnLogProbs: rows.some((row) => row.returnLogProbs), idDatatype: behaviour.idDatatype });
  const encoded = encodeInferResponse({ modelName: 'fastertransformer', modelVersion: '1', outputs }, decoded);
  const payload = Buffer.isBuffer(encoded.body) ? encoded.body : JSON.stringify(encoded.body);
  return { status: 200, body: payload, headers: { ...encoded.headers } };
}

async function handle(request: IncomingMessage, response: ServerResponse, state: LoopbackTriton): Promise<void> {
  const body = await readAll(request);
  const { behaviour } = state;
  if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
  const ok = (ready: boolean): void => void response.writeHead(ready ? 200 : 400).end();
  if (request.method === 'GET' && request.url === '/v2/health/ready') return ok(behaviour.serverReady);
  if (request.method === 'GET' && request.url === '/v2/models/fastertransformer/ready') return ok(behaviour.modelReady);
  if (request.method !== 'POST' || request.url !== '/v2/models/fastertransformer/infer') {
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route ${request.url}` }));
    return;
  }
  if (behaviour.failure !== undefined) {
    response.writeHead(behaviour.failure.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: behaviour.failure.message }));
    return;
  }
  try {
    const answer = infer(body, request.headers, state);
    response.writeHead(answer.status, answer.headers).end(answer.body);
  } catch (error) {
    const status = LlmDeployError.isInstance(error) ? error.httpStatus : 500;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  }
}

/** Starts a fake Triton on 127.0.0.1 with a free port. */
export async function startLoopbackTriton(behaviour: Partial<LoopbackTritonBehaviour> = {}): Promise<LoopbackTriton> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: LoopbackTriton = {
    url: `http://127.0.0.1:${port}`,
    behaviour: { answer: (row) => [...row.inputIds].reverse(), idDatatype: 'UINT32', includeStartId: false, serverReady: true, modelReady: true, delayMs: 0, ...behaviour },
    requests: [],
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => void handle(request, response, state));
  return state;
}

/** A URL where nothing listens (a port that was just freed). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
