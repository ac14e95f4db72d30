import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { LlmDeployError, loadSettings } from '../../config/index.js';
import {
  createTritonBackend,
  loadNativeBackend,
  paramsFromGenerationConfig,
  type Backend,
  type EngineSettings,
} from '../../engine/index.js';
import { openModelDirectory, readGenerationConfig, type ModelDirectory } from '../../model/index.js';
import { createServer, resolveServerOptions, type ServerOptions } from '../../server/index.js';
import { resolveModelSource } from '../../storage/index.js';
import { loadTokenizer } from '../../tokenizer/index.js';
import type { CommandContext } from '../context.js';
import { listenOrExplain, openModelFilesOffThread, serveUntilSignal } from '../serve-lifecycle.js';

const HELP = `
Serves the model over HTTP: GET /health, /health/ready, /ui, /metrics; POST /infer (Vertex AI),
/v2/models/fastertransformer/infer (KServe v2), /generate, /generate_stream (TGI), /v1/completions
(OpenAI). The server listens at once; /health/ready answers 200 once the model is loaded.
SIGTERM/SIGINT: readiness turns 503, in-flight requests finish (up to --drain-timeout-ms), exit 0.
A second signal answers in-flight requests 503 at once and exits 1; so does a signal while the model loads.
Exit 2: the port is in use, the host does not resolve, or the model source is not found.

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
  readonly maxQueue?: string;
  readonly logLevel?: string;
}

/** Everything `serve` needs, resolved from flags and the environment. */
export interface ServeSettings {
  readonly modelSource: string;
  readonly backend: 'native' | 'triton';
  readonly server: ServerOptions;
  readonly engine: Partial<EngineSettings>;
  readonly cacheDir: string;
  /** STORAGE_EMULATOR_HOST: gs:// goes to this emulator (normalized by storage, as for convert). */
  readonly storageEmulatorHost?: string;
  readonly logLevel: string;
}

/** The bundled demo model `npm start` serves when no model is given. */
export const DEMO_MODEL_DIR = fileURLToPath(new URL('../../../models/demo-t5', import.meta.url));

/** Flag -> setting key; the config loader applies precedence (flag > environment > default) and validation. */
const FLAG_SETTINGS: ReadonlyArray<readonly [keyof ServeFlags, string, string]> = [
  // --model wins over AIP_STORAGE_URI, which wins over MODEL_SOURCE_PATH (DESIGN.md)
  ['model', 'AIP_STORAGE_URI', '--model'],
  ['host', 'HOST', '--host'],
  // --port wins over AIP_HTTP_PORT, which wins over PORT
  ['port', 'AIP_HTTP_PORT', '--port'],
  ['backend', 'BACKEND', '--backend'],
  ['tritonUrl', 'TRITON_URL', '--triton-url'],
  ['quantize', 'QUANTIZE', '--quantize'],
  ['apiKeyFile', 'API_KEY_FILE', '--api-key-file'],
  ['threads', 'ENGINE_THREADS', '--threads'],
  ['maxBatchSize', 'MAX_BATCH_SIZE', '--max-batch-size'],
  ['maxInputTokens', 'MAX_INPUT_TOKENS', '--max-input-tokens'],
  ['inputTruncation', 'INPUT_TRUNCATION', '--input-truncation'],
  ['maxNewTokens', 'MAX_NEW_TOKENS_CAP', '--max-new-tokens'],
  ['maxInstances', 'MAX_INSTANCES', '--max-instances'],
  ['maxConcurrentRequests', 'MAX_CONCURRENT_REQUESTS', '--max-concurrent-requests'],
  ['maxQueue', 'MAX_QUEUE', '--max-queue'],
  ['requestTimeoutMs', 'REQUEST_TIMEOUT_MS', '--request-timeout-ms'],
  ['drainTimeoutMs', 'DRAIN_TIMEOUT_MS', '--drain-timeout-ms'],
  ['logLevel', 'LOG_LEVEL', '--log-level'],
];

function readApiKey(file: string): string {
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
 * Resolves serve's settings through the one settings schema: flags, then the environment (as on
 * Vertex AI), then defaults. Port `--port` > AIP_HTTP_PORT > PORT > 5000; host `--host` > HOST >
 * 0.0.0.0; model `--model` > AIP_STORAGE_URI > MODEL_SOURCE_PATH > the bundled demo model.
 */
export function serveSettingsFromFlags(flags: ServeFlags, env: Readonly<Record<string, string | undefined>>): ServeSettings {
  const { settings } = loadSettings({
    mode: 'runtime',
    env,
    flags: Object.fromEntries(
      FLAG_SETTINGS.flatMap(([name, key, flag]) => (flags[name] === undefined ? [] : [[key, { value: flags[name], flag }]])),
    ),
  });
  const apiKey = settings.apiKeyFile === undefined ? settings.apiKey : readApiKey(settings.apiKeyFile);
  const server = resolveServerOptions({
    host: settings.host,
    port: settings.port,
    inputTruncation: settings.inputTruncation,
    bodyLimitBytes: settings.maxBodyBytes,
    maxInstances: settings.maxInstances,
    maxInputTokens: settings.maxInputTokens,
    maxNewTokensCap: settings.maxNewTokensCap,
    maxConcurrentRequests: settings.maxConcurrentRequests,
    requestTimeoutMs: settings.requestTimeoutMs,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    headersTimeoutMs: settings.headersTimeoutMs,
    maxConnections: settings.maxConnections,
    drainTimeoutMs: settings.drainTimeoutMs,
    openAiAnyModel: settings.openAiAnyModel,
    ...(settings.healthRoute === undefined ? {} : { healthRoute: settings.healthRoute }),
    ...(settings.predictRoute === undefined ? {} : { predictRoute: settings.predictRoute }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(settings.backend === 'triton' ? { tritonUrl: settings.tritonUrl } : {}),
  });
  return {
    modelSource: settings.modelSource ?? defaultModel(),
    backend: settings.backend,
    server,
    engine: {
      quantize: settings.quantize,
      threads: settings.engineThreads,
      maxBatchSize: settings.maxBatchSize,
      maxQueue: settings.maxQueue,
      maxInputTokens: settings.maxInputTokens,
      maxNewTokensLimit: settings.maxNewTokensCap,
    },
    cacheDir: settings.cacheDir,
    ...(settings.storageEmulatorHost === undefined ? {} : { storageEmulatorHost: settings.storageEmulatorHost }),
    logLevel: settings.logLevel,
  };
}

function defaultModel(): string {
  if (existsSync(join(DEMO_MODEL_DIR, 'config.json'))) return DEMO_MODEL_DIR;
  throw new LlmDeployError('no model given, and the bundled demo model is missing', {
    code: 'CLI_FLAG_INVALID',
    httpStatus: 400,
    field: '--model',
    expected: 'a model directory, file:// or gs:// URL (or MODEL_SOURCE_PATH / AIP_STORAGE_URI)',
  });
}

async function loadBackend(settings: ServeSettings, model: Promise<ModelDirectory>): Promise<Backend> {
  const tritonUrl = settings.server.tritonUrl;
  if (settings.backend === 'triton' && tritonUrl !== undefined) {
    // the model directory still provides the tokenizer and the generation defaults; Triton holds the weights
    const { generationDir, config } = await model;
    const defaults = paramsFromGenerationConfig(await readGenerationConfig(generationDir, config));
    return createTritonBackend({ url: tritonUrl, defaults, settings: settings.engine, timeoutMs: settings.server.requestTimeoutMs });
  }
  return loadNativeBackend({ modelDir: (await model).dir, settings: settings.engine });
}

/** Runs the server until SIGTERM/SIGINT; resolves with the exit code. */
export async function runServe(settings: ServeSettings, context: CommandContext): Promise<number> {
  // gs:// is downloaded first; then the layout is recognised (Hugging Face, ONNX or FasterTransformer)
  const gcs = settings.storageEmulatorHost === undefined ? {} : { gcs: { apiEndpoint: settings.storageEmulatorHost } };
  const model = resolveModelSource(settings.modelSource, { cacheDir: settings.cacheDir, ...gcs })
    .then((dir) => openModelDirectory(dir))
    .then(async (opened) => {
      await openModelFilesOffThread(opened);
      return opened;
    });
  const backend = loadBackend(settings, model);
  const tokenizer = model.then((opened) => loadTokenizer(opened.tokenizerDir));
  // the server listens before the model is ready; a failed load is reported through modelLoaded
  backend.catch(() => undefined);
  tokenizer.catch(() => undefined);
  const server = createServer({ ...settings.server, backend, tokenizer, logger: { level: settings.logLevel, stream: context.stdout } });
  const url = await listenOrExplain(server);
  server.app.log.info({ url, model: settings.modelSource, backend: settings.backend }, 'listening; loading the model');
  return serveUntilSignal(server, context);
}

/** Registers `llm-deploy serve`. */
export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('Serve a model over HTTP (Vertex AI, KServe v2, TGI and OpenAI routes, /ui, /metrics).')
    .option(
      '--model <src>',
      'model directory, file:// or gs:// URL (default: AIP_STORAGE_URI, MODEL_SOURCE_PATH, then the bundled demo model)',
    )
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
    .option('--max-queue <n>', 'requests waiting for a batch slot before the engine refuses more (default 256)')
    .option('--request-timeout-ms <ms>', 'abort a generation after this long and answer 504 (default 120000)')
    .option('--drain-timeout-ms <ms>', 'grace period for in-flight requests on SIGTERM (default 25000)')
    .option('--log-level <level>', 'pino log level (default info)')
    .addHelpText('after', HELP)
    .action(async (flags: ServeFlags) => {
      const settings = serveSettingsFromFlags(flags, context.env);
      context.setExitCode(await runServe(settings, context));
    });
}
