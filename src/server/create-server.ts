/**
 * Builds the predict server: one Fastify app with every route family, its own metrics registry,
 * and a model that may still be loading (the app listens at once; readiness says when to send traffic).
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Backend } from '../engine/index.js';
import type { ChatTemplate } from '../tokenizer/index.js';
import { registerApiKeyCheck } from './auth.js';
import { clientErrorAnswers, type ClientErrorAnswers } from './client-error.js';
import { registerErrorHandler } from './error-handler.js';
import { registerJsonBodyParser } from './json-body.js';
import { createServerMetrics } from './metrics.js';
import { registerAipRoutes, watchAipRoutes } from './routes/aip-routes.js';
import { registerGenerateRoutes } from './routes/generate.js';
import { healthPaths, registerHealthRoutes } from './routes/health.js';
import { registerKserveRoutes } from './routes/kserve-v2.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerOpenAiRoutes } from './routes/openai.js';
import { registerOpenAiChatRoute } from './routes/openai-chat.js';
import { registerTokenizeRoutes } from './routes/tokenize.js';
import { registerTritonProxy } from './routes/triton-proxy.js';
import { registerUiRoutes } from './routes/ui.js';
import { registerVertexRoutes } from './routes/vertex.js';
import { ServerRuntime } from './runtime.js';
import { resolveServerOptions, type ServerOptions, type ServerOptionsInput } from './settings.js';
import type { TextTokenizer } from './text-tokenizer.js';

const FORCE_CLOSE_AFTER_MS = 500;
const TIMEOUT_CHECK_MAX_MS = 1000;

/** Where pino JSON logs go; `false` silences them (tests). */
export type ServerLogger = false | { readonly level?: string; readonly stream?: Writable };

/** Everything {@link createServer} takes: the options plus the (possibly still loading) model. */
export type CreateServerOptions = ServerOptionsInput & {
  readonly backend: Backend | Promise<Backend>;
  readonly tokenizer: TextTokenizer | Promise<TextTokenizer>;
  /** The model's chat template (tokenizer `loadChatTemplate`); absent for models without one. */
  readonly chatTemplate?: ChatTemplate | Promise<ChatTemplate | undefined>;
  readonly logger?: ServerLogger;
};

/** A built server. */
export interface LlmDeployServer {
  readonly app: FastifyInstance;
  readonly options: ServerOptions;
  /** Resolves when the model is loaded; rejects with the load failure. */
  readonly modelLoaded: Promise<void>;
  /** Generations being served now. */
  readonly inFlightCount: number;
  /** Starts listening on `host:port`; resolves to the URL (e.g. `http://127.0.0.1:5000`). */
  listen(): Promise<string>;
  /** Readiness off at once, waits up to `drainTimeoutMs` for in-flight requests, then closes. */
  drain(): Promise<{ readonly drained: boolean }>;
  /** Aborts in-flight generations, stops listening and closes the backend. */
  close(): Promise<void>;
}

/** Error handling, body parsing, observation, the API key check, then every route. */
function registerRoutes(app: FastifyInstance, runtime: ServerRuntime, options: ServerOptions): void {
  registerErrorHandler(app, options);
  registerJsonBodyParser(app);
  registerObservation(app, runtime);
  if (options.apiKey !== undefined) {
    registerApiKeyCheck(app, {
      apiKey: options.apiKey,
      exemptPaths: [...healthPaths(options.healthRoute), '/metrics'],
      exemptPrefixes: ['/v2/health/'],
    });
  }
  const aip = watchAipRoutes(app, runtime);
  registerHealthRoutes(app, runtime);
  registerMetricsRoute(app, runtime);
  registerUiRoutes(app, runtime);
  registerVertexRoutes(app, runtime);
  registerGenerateRoutes(app, runtime);
  registerOpenAiRoutes(app, runtime);
  registerOpenAiChatRoute(app, runtime);
  registerTokenizeRoutes(app, runtime);
  if (options.tritonUrl === undefined) registerKserveRoutes(app, runtime);
  else
    registerTritonProxy(app, {
      tritonUrl: options.tritonUrl,
      bodyLimitBytes: options.binaryBodyLimitBytes,
      timeoutMs: options.requestTimeoutMs,
    });
  registerAipRoutes(app, runtime, aip);
}

/**
 * @example
 * const server = createServer({ port: 5000, backend, tokenizer });
 * await server.listen();
 */
export function createServer(input: CreateServerOptions): LlmDeployServer {
  const { backend, tokenizer, chatTemplate, logger, ...rest } = input;
  const options = resolveServerOptions(rest);
  const clientErrors = clientErrorAnswers(options);
  const app = buildApp(options, logger ?? {}, clientErrors);
  const runtime: ServerRuntime = new ServerRuntime(
    options,
    createServerMetrics(() => runtime.backend?.stats()),
  );
  registerRoutes(app, runtime, options);
  const modelLoaded = runtime.load(backend, tokenizer, chatTemplate);
  modelLoaded.then(
    () => app.log.info({ provider: runtime.backend?.info.provider, model: runtime.backend?.info.modelName }, 'model loaded'),
    (error: unknown) => app.log.error({ err: error }, 'model failed to load'),
  );
  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    const closed = app.close();
    // connections a client left half-open would hold close() forever; idle ones close at once
    const force = setTimeout(() => app.server.closeAllConnections(), FORCE_CLOSE_AFTER_MS);
    try {
      await closed;
    } finally {
      clearTimeout(force);
    }
    await runtime.backend?.close();
  };
  return {
    app,
    options,
    modelLoaded,
    get inFlightCount() {
      return runtime.inFlightCount;
    },
    async listen() {
      return app.listen({ host: options.host, port: options.port });
    },
    async drain() {
      app.log.info({ inFlight: runtime.inFlightCount }, 'draining');
      const drained = await runtime.drain(options.drainTimeoutMs);
      if (!drained) runtime.abortAll('server is shutting down');
      closing ??= shutdown();
      await closing;
      return { drained };
    },
    async close() {
      runtime.abortAll('server is shutting down');
      closing ??= shutdown();
      await closing;
    },
  };
}

function buildApp(options: ServerOptions, logger: ServerLogger, clientErrors: ClientErrorAnswers): FastifyInstance {
  const loggerOptions =
    logger === false
      ? false
      : {
          level: logger.level ?? 'info',
          ...(logger.stream === undefined ? {} : { stream: logger.stream }),
          redact: ['req.headers.authorization'],
        };
  const app = Fastify({
    logger: loggerOptions,
    bodyLimit: options.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Fastify's default requestTimeout is 0 (none): uploads that stall would be held forever
    requestTimeout: options.bodyTimeoutMs,
    http: {
      requestTimeout: options.bodyTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      // Node checks the two timeouts every 30 s by default; check often enough to keep to them
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MAX_MS, Math.ceil(options.headersTimeoutMs / 4)),
    },
    clientErrorHandler: clientErrors.handler,
  });
  // past the limit Node closes new connections at once, before reading a byte:
  // https://nodejs.org/api/net.html#servermaxconnections
  app.server.maxConnections = options.maxConnections;
  app.addHook('onRequest', async (request, reply) => clientErrors.remember(request, reply));
  return app;
}

/** Request id on every response; per-route request counts and latencies. */
function registerObservation(app: FastifyInstance, runtime: ServerRuntime): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    runtime.metrics.observeRequest(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
}
