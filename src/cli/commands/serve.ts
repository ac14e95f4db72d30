import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import { createTritonBackend, loadNativeBackend, type Backend, type EngineSettings } from '../../engine/index.js';
import { createServer, resolveServerOptions, type ServerOptions } from '../../server/index.js';
import { resolveModelSource } from '../../storage/index.js';
import { loadTokenizer } from '../../tokenizer/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../context.js';

const HELP = `
Serves the model over HTTP: GET /health, /health/ready, /ui, /metrics; POST /infer (Vertex AI),
/v2/models/fastertransformer/infer (KServe v2), /generate, /generate_stream (TGI), /v1/completions
(OpenAI). The server listens at once; /health/ready answers 200 once the model is loaded.
SIGTERM/SIGINT: readiness turns 503, in-flight requests finish (up to --drain-timeout-ms), exit 0.

Examples:
  $ llm-deploy serve --model test/fixtures/t5-tiny-relu --host 127.0.0.1 --port 5000
  $ curl -s localhost:5000/infer -H 'content-type: application/json' -d '{"instances":["number to words: 1205"]}'
`;

/** The flags of `llm-deploy serve`, as commander parses them (all strings). */
export interface ServeFlags {
  readonly model?: string;
  readonly host?: string;
  readonly port?: string;
  readonly backend?: string;
  readonly tritonUrl?: string;
  readonly quantize?: string;
  readonly apiKeyFile?: string;
  readonly threads?: string;
  readonly maxBatchSize?: string;
  readonly maxInputTokens?: string;
  readonly inputTruncation?: string;
  readonly maxNewTokens?: string;
  readonly maxInstances?: string;
  readonly maxConcurrentRequests?: string;
  readonly requestTimeoutMs?: string;
  readonly drainTimeoutMs?: string;
  readonly logLevel?: string;
}

/** Everything `serve` needs, resolved from flags and the environment. */
export interface ServeSettings {
  readonly modelSource: string;
  readonly backend: 'native' | 'triton';
  readonly server: ServerOptions;
  readonly engine: Partial<EngineSettings>;
  readonly cacheDir: string;
  readonly logLevel: string;
}

/** The bundled demo model `npm start` serves when no model is given. */
export const DEMO_MODEL_DIR = fileURLToPath(new URL('../../../models/demo-t5', import.meta.url));

function usage(summary: string, field: string, given: string | undefined, expected: string): LlmDeployError {
  return new LlmDeployError(summary, { code: 'CLI_FLAG_INVALID', httpStatus: 400, field, ...(given === undefined ? {} : { given }), expected });
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value.trim())) throw usage('not a whole number', flag, value, 'a non-negative integer');
  return Number(value.trim());
}

function readApiKey(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new LlmDeployError('cannot read the API key file', { code: 'CLI_FLAG_INVALID', httpStatus: 400, file, cause });
  }
  if (key.length === 0) throw new LlmDeployError('the API key file is empty', { code: 'CLI_FLAG_INVALID', httpStatus: 400, file });
  return key;
}

/**
 * Maps flags (then the environment, as on Vertex AI) to settings: port `--port` > AIP_HTTP_PORT >
 * PORT > 5000; host `--host` > HOST > 0.0.0.0; model `--model` > AIP_STORAGE_URI > MODEL_SOURCE_PATH
 * > the bundled demo model.
 */
export function serveSettingsFromFlags(flags: ServeFlags, env: Readonly<Record<string, string | undefined>>): ServeSettings {
  const pick = (...values: (string | undefined)[]): string | undefined => values.find((value) => value !== undefined && value !== '');
  const backend = pick(flags.backend) ?? 'native';
  if (backend !== 'native' && backend !== 'triton') throw usage('unknown backend', '--backend', backend, 'native or triton');
  const tritonUrl = pick(flags.tritonUrl, env['TRITON_URL']);
  if (backend === 'triton' && tritonUrl === undefined) throw usage('triton backend needs a URL', '--triton-url', undefined, 'e.g. http://127.0.0.1:8000');
  const truncation = pick(flags.inputTruncation) ?? 'reject';
  if (truncation !== 'reject' && truncation !== 'truncate') throw usage('unknown truncation', '--input-truncation', truncation, 'reject or truncate');
  const quantize = pick(flags.quantize) ?? 'none';
  if (quantize !== 'none' && quantize !== 'int8') throw usage('unknown quantization', '--quantize', quantize, 'none or int8');
  const apiKey = readApiKey(flags.apiKeyFile);
  const maxInputTokens = integer(flags.maxInputTokens, '--max-input-tokens');
  const maxNewTokens = integer(flags.maxNewTokens, '--max-new-tokens');
  const optional = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const server = resolveServerOptions({
    host: pick(flags.host, env['HOST']) ?? '0.0.0.0',
    port: integer(pick(flags.port, env['AIP_HTTP_PORT'], env['PORT']), '--port') ?? 5000,
    inputTruncation: truncation,
    ...optional('healthRoute', pick(env['AIP_HEALTH_ROUTE'])),
    ...optional('predictRoute', pick(env['AIP_PREDICT_ROUTE'])),
    ...optional('apiKey', apiKey),
    ...optional('tritonUrl', backend === 'triton' ? tritonUrl : undefined),
    ...optional('maxInputTokens', maxInputTokens),
    ...optional('maxNewTokensCap', maxNewTokens),
    ...optional('maxInstances', integer(flags.maxInstances, '--max-instances')),
    ...optional('maxConcurrentRequests', integer(flags.maxConcurrentRequests, '--max-concurrent-requests')),
    ...optional('requestTimeoutMs', integer(flags.requestTimeoutMs, '--request-timeout-ms')),
    ...optional('drainTimeoutMs', integer(flags.drainTimeoutMs, '--drain-timeout-ms')),
  });
  const modelSource = pick(flags.model, env['AIP_STORAGE_URI'], env['MODEL_SOURCE_PATH']) ?? defaultModel();
  return {
    modelSource,
    backend,
    server,
    engine: {
      quantize,
      ...optional('threads', integer(flags.threads, '--threads')),
      ...optional('maxBatchSize', integer(flags.maxBatchSize, '--max-batch-size')),
      ...optional('maxInputTokens', maxInputTokens),
      ...optional('maxNewTokensLimit', maxNewTokens),
    },
    cacheDir: pick(env['LLM_DEPLOY_CACHE']) ?? join(homedir(), '.cache', 'llm-deploy'),
    logLevel: pick(flags.logLevel) ?? 'info',
  };
}

function defaultModel(): string {
  if (existsSync(join(DEMO_MODEL_DIR, 'config.json'))) return DEMO_MODEL_DIR;
  throw usage('no model given, and the bundled demo model is missing', '--model', undefined, 'a model directory, file:// or gs:// URL (or MODEL_SOURCE_PATH / AIP_STORAGE_URI)');
}

async function loadBackend(settings: ServeSettings, modelDir: Promise<string>): Promise<Backend> {
  const tritonUrl = settings.server.tritonUrl;
  if (settings.backend === 'triton' && tritonUrl !== undefined) {
    // the model directory still provides the tokenizer; Triton holds the weights
    await modelDir;
    return createTritonBackend({ url: tritonUrl, settings: settings.engine, timeoutMs: settings.server.requestTimeoutMs });
  }
  return loadNativeBackend({ modelDir: await modelDir, settings: settings.engine });
}

/** Runs the server until SIGTERM/SIGINT; resolves with the exit code. */
export async function runServe(settings: ServeSettings, context: CommandContext): Promise<number> {
  const modelDir = resolveModelSource(settings.modelSource, { cacheDir: settings.cacheDir });
  const backend = loadBackend(settings, modelDir);
  const tokenizer = modelDir.then((dir) => loadTokenizer(dir));
  // the server listens before the model is ready; a failed load is reported through modelLoaded
  backend.catch(() => undefined);
  tokenizer.catch(() => undefined);
  const server = createServer({ ...settings.server, backend, tokenizer, logger: { level: settings.logLevel, stream: context.stdout } });
  const url = await server.listen();
  server.app.log.info({ url, model: settings.modelSource, backend: settings.backend }, 'listening; loading the model');
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      server.app.log.info({ signal }, 'shutting down');
      server.drain().then(
        ({ drained }) => {
          server.app.log.info({ drained }, 'stopped');
          resolve(EXIT.ok);
        },
        (error: unknown) => {
          server.app.log.error({ err: error }, 'shutdown failed');
          resolve(EXIT.failure);
        },
      );
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    server.modelLoaded.catch((error: unknown) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      const message = LlmDeployError.isInstance(error) || error instanceof Error ? error.message : String(error);
      context.stderr.write(`error: the model could not be loaded: ${message}\n`);
      void server.close().finally(() => resolve(EXIT.failure));
    });
  });
}

/** Registers `llm-deploy serve`. */
export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('Serve a model over HTTP (Vertex AI, KServe v2, TGI and OpenAI routes, /ui, /metrics).')
    .option('--model <src>', 'model directory, file:// or gs:// URL (default: AIP_STORAGE_URI, MODEL_SOURCE_PATH, then the bundled demo model)')
    .option('--host <host>', 'interface to bind (default: HOST, then 0.0.0.0)')
    .option('--port <port>', 'TCP port (default: AIP_HTTP_PORT, PORT, then 5000)')
    .addOption(new Option('--backend <kind>', 'native (onnxruntime) or triton (a KServe v2 server)').choices(['native', 'triton']))
    .option('--triton-url <url>', 'Triton base URL for --backend triton, e.g. http://127.0.0.1:8000')
    .addOption(new Option('--quantize <mode>', 'weight precision of the native runtime').choices(['none', 'int8']))
    .option('--api-key-file <file>', 'require "Authorization: Bearer <key>" with the key in this file')
    .option('--threads <n>', 'onnxruntime intra-op threads (0 = automatic)')
    .option('--max-batch-size <n>', 'most sequences decoded together')
    .option('--max-input-tokens <n>', 'longest prompt in tokens (default 512)')
    .addOption(new Option('--input-truncation <mode>', 'longer prompts: reject (400) or truncate').choices(['reject', 'truncate']))
    .option('--max-new-tokens <n>', 'most new tokens a request may ask for (default 512)')
    .option('--max-instances <n>', 'most prompts per request (default 64)')
    .option('--max-concurrent-requests <n>', 'beyond it: 429 (TGI/OpenAI) or 503 (default 128)')
    .option('--request-timeout-ms <ms>', 'abort a generation after this long and answer 504 (default 120000)')
    .option('--drain-timeout-ms <ms>', 'grace period for in-flight requests on SIGTERM (default 25000)')
    .option('--log-level <level>', 'pino log level (default info)')
    .addHelpText('after', HELP)
    .action(async (flags: ServeFlags) => {
      const settings = serveSettingsFromFlags(flags, context.env);
      context.setExitCode(await runServe(settings, context));
    });
}
