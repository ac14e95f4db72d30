/**
 * The server's slice of the settings: where it listens, its routes and its limits. `config/` (or the
 * `serve` command) builds these values at the edge; nothing here reads the environment. Options that
 * are settings take their range and default from the settings table; the rest are the server's own.
 */
import { z } from 'zod';
import { booleanOption, choiceOption, INPUT_TRUNCATIONS, integerOption, LlmDeployError, textOption } from '../config/index.js';

/** What to do with a prompt longer than `maxInputTokens`. */
export type InputTruncation = (typeof INPUT_TRUNCATIONS)[number];

const route = z.string().regex(/^\/[^\s?#]*$/, 'a path starting with /');

/** Schema of {@link ServerOptions}; every field but `apiKey`, `tritonUrl` and `modelName` has a default. */
export const serverOptionsSchema = z
  .object({
    /** Interface to bind; containers and Vertex need 0.0.0.0. */
    host: textOption('HOST'),
    /** TCP port; 0 picks a free one (tests). */
    port: integerOption('PORT'),
    /** Extra readiness route (Vertex `AIP_HEALTH_ROUTE`); `/health/ready` always works. */
    healthRoute: route.default('/health/ready'),
    /** Extra predict route (Vertex `AIP_PREDICT_ROUTE`); `/infer` always works. */
    predictRoute: route.default('/infer'),
    /** Largest JSON request body in bytes (1.5 MiB, as Vertex AI allows). */
    bodyLimitBytes: integerOption('MAX_BODY_BYTES'),
    /** Largest KServe v2 binary request body in bytes (Triton's default is 64 MiB). */
    binaryBodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(1 << 30)
      .default(64 * 1024 * 1024),
    /** Most prompts in one request (`instances`, `prompt` list, KServe batch). */
    maxInstances: integerOption('MAX_INSTANCES'),
    /** Longest prompt in tokens (`</s>` included); the backend's own limit applies too. */
    maxInputTokens: integerOption('MAX_INPUT_TOKENS'),
    /** Longer prompts are rejected (400) or cut to the limit, keeping the start and `</s>`. */
    inputTruncation: choiceOption('INPUT_TRUNCATION', INPUT_TRUNCATIONS),
    /** Most new tokens a request may ask for; above it the request is rejected. */
    maxNewTokensCap: integerOption('MAX_NEW_TOKENS_CAP'),
    /** Most requests generating at once; beyond it 429 (TGI/OpenAI) or 503 (Vertex/KServe). */
    maxConcurrentRequests: integerOption('MAX_CONCURRENT_REQUESTS'),
    /** A generation running longer is aborted and answered 504. */
    requestTimeoutMs: integerOption('REQUEST_TIMEOUT_MS'),
    /**
     * Time to receive a whole request, headers and body (Node's `server.requestTimeout`); past it
     * the client gets a 408 and the socket is closed. Responses (streams too) are not limited by it.
     */
    bodyTimeoutMs: integerOption('BODY_TIMEOUT_MS'),
    /** Time to receive the request headers (Node's `server.headersTimeout`); at most `bodyTimeoutMs`. */
    headersTimeoutMs: integerOption('HEADERS_TIMEOUT_MS'),
    /** Most open client connections; more are closed as soon as they connect (Node's `server.maxConnections`). */
    maxConnections: integerOption('MAX_CONNECTIONS'),
    /** Grace period after SIGTERM for in-flight requests before they are aborted. */
    drainTimeoutMs: integerOption('DRAIN_TIMEOUT_MS'),
    /** When set, every route but health, metrics and the /ui page needs `Authorization: Bearer <key>`. */
    apiKey: z.string().min(1).optional(),
    /** Name OpenAI routes report; default the backend's model name (KServe v2 keeps `fastertransformer`). */
    modelName: z.string().min(1).optional(),
    /** OpenAI routes accept any `model`; otherwise another name than the served one is 404 `model_not_found`. */
    openAiAnyModel: booleanOption('OPENAI_ANY_MODEL'),
    /** Triton mode: `/v2/...` is forwarded unchanged to this base URL. */
    tritonUrl: z.url().optional(),
    /** Seconds a client should wait after a 429/503 for capacity. */
    retryAfterSeconds: z.number().int().min(1).max(3600).default(1),
  })
  // Node refuses a headers timeout longer than the request timeout:
  // https://nodejs.org/api/http.html#serverheaderstimeout
  .refine((options) => options.headersTimeoutMs <= options.bodyTimeoutMs, {
    path: ['headersTimeoutMs'],
    message: 'at most bodyTimeoutMs',
  });

/** Resolved server options. */
export type ServerOptions = z.infer<typeof serverOptionsSchema>;

/** What callers may pass: any subset, the rest takes defaults. */
export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;

/** The defaults, as the schema fills them. */
export const DEFAULT_SERVER_OPTIONS: ServerOptions = Object.freeze(serverOptionsSchema.parse({}));

/**
 * Fills absent fields with defaults and checks ranges; throws SERVER_OPTIONS_INVALID naming the field.
 * @example resolveServerOptions({ port: 8080, apiKey: 'secret' })
 */
export function resolveServerOptions(input: ServerOptionsInput = {}): ServerOptions {
  const parsed = serverOptionsSchema.safeParse(input);
  if (parsed.success) return Object.freeze(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const given: unknown = Object.entries(input).find(([key]) => key === field)?.[1];
  throw new LlmDeployError('invalid server setting', {
    code: 'SERVER_OPTIONS_INVALID',
    httpStatus: 400,
    field,
    // the API key is a secret: never echo it
    given: field === 'apiKey' ? '(hidden)' : (JSON.stringify(given) ?? 'undefined'),
    expected: issue?.message ?? 'a valid value',
  });
}
