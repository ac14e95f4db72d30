import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { LlmDeployError, loadSettings, type SERVING_BACKENDS } from '../../config/index.js';
import {
  createOpenAiEngineBackend,
  createTritonBackend,
  loadNativeBackend,
  OPENAI_ENGINE_ARCHITECTURES,
  paramsFromGenerationConfig,
  type Backend,
  type EngineSettings,
} from '../../engine/index.js';
import { openModelDirectory, readGenerationConfig, type ModelDirectory } from '../../model/index.js';
import { createServer, resolveServerOptions, type ServerOptions } from '../../server/index.js';
import { resolveModelSource, type ResolveOptions } from '../../storage/index.js';
import { loadChatTemplate, loadTokenizer } from '../../tokenizer/index.js';
import type { CommandContext } from '../context.js';
import { listenOrExplain, openModelFilesOffThread, serveUntilSignal } from '../serve-lifecycle.js';
import { addSettingOptions, printWarnings, settingFlagsFromOptions } from '../settings.js';
import { sourceOptions } from '../source-options.js';
import { TRITON_SIDE_FILES } from '../triton-side-files.js';

const HELP = `
Serves the model over HTTP: GET /health, /health/ready, /ui, /metrics; POST /infer (Vertex AI),
/v2/models/fastertransformer/infer (KServe v2), /generate, /generate_stream (TGI), /v1/completions
(OpenAI). The server listens at once; /health/ready answers 200 once the model is loaded.
SIGTERM/SIGINT: readiness turns 503, in-flight requests finish (up to --drain-timeout-ms), exit 0.
A second signal answers in-flight requests 503 at once and exits 1; so does a signal while the model loads.
With --backend vllm|tensorrt-llm the server fronts that engine's OpenAI-compatible API at --backend-url and reads
only the tokenizer and configs of --model; /health/ready is 200 only while the engine's /health answers 200.
With --backend fastertransformer (older name: triton) it forwards to a Triton server running FasterTransformer at
--backend-url (alias --triton-url). --backend is SERVING_BACKEND; the older BACKEND is read with a note.
Exit 2: the port is in use, the host does not resolve, or the model source is not found.

Examples:
  $ llm-deploy serve --model test/fixtures/t5-tiny-relu --host 127.0.0.1 --port 5000
  $ llm-deploy serve --model ./model --backend vllm --backend-url http://127.0.0.1:8000
  $ llm-deploy serve --model ./ft-repository --backend fastertransformer --backend-url http://127.0.0.1:8000
  $ curl -s localhost:5000/infer -H 'content-type: application/json' -d '{"instances":["number to words: 1205"]}'
`;

/** The flags of `llm-deploy serve` as commander parses them (strings), by attribute name; they are the settings rows with a flag. */
export type ServeFlags = Readonly<Record<string, string | undefined>>;

/** Everything `serve` needs, resolved from flags and the environment. */
export interface ServeSettings {
  readonly modelSource: string;
  /** What runs the model (SERVING_BACKEND, `--backend`). */
  readonly backend: (typeof SERVING_BACKENDS)[number];
  /** The engine vllm / tensorrt-llm front (BACKEND_URL); fastertransformer's Triton is `server.tritonUrl`. */
  readonly backendUrl?: string;
  readonly server: ServerOptions;
  readonly engine: Partial<EngineSettings>;
  /** The cache, STORAGE_EMULATOR_HOST (gs:// goes to this emulator), HF_ENDPOINT and HF_TOKEN (hf:// and org/name). */
  readonly sources: Pick<ResolveOptions, 'cacheDir' | 'gcs' | 'hub'>;
  readonly logLevel: string;
  /** The loader's notes and warnings (an older setting name, an ignored alias), for stderr. */
  readonly warnings: readonly string[];
}

/** Where a GPU engine listens when BACKEND_URL is not set: its container in the same pod (both engines' default port). */
const ENGINE_URL = 'http://127.0.0.1:8000';

/** The bundled demo model `npm start` serves when no model is given. */
export const DEMO_MODEL_DIR = fileURLToPath(new URL('../../../models/demo-t5', import.meta.url));

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
  // --model wins over AIP_STORAGE_URI (then MODEL_SOURCE_PATH), --port over AIP_HTTP_PORT (then PORT): the rows' flags say so
  const { settings, warnings } = loadSettings({ mode: 'runtime', env, flags: settingFlagsFromOptions(flags, 'serve') });
  const apiKey = settings.apiKeyFile === undefined ? settings.apiKey : readApiKey(settings.apiKeyFile);
  const backend = settings.servingBackend;
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
    // --backend-url names Triton too; --triton-url stays its alias
    ...(backend === 'fastertransformer' ? { tritonUrl: settings.backendUrl ?? settings.tritonUrl } : {}),
  });
  const engineUrl = backend === 'vllm' || backend === 'tensorrt-llm' ? { backendUrl: settings.backendUrl ?? ENGINE_URL } : {};
  return {
    modelSource: settings.modelSource ?? defaultModel(),
    backend,
    ...engineUrl,
    server,
    engine: {
      quantize: settings.quantize,
      threads: settings.engineThreads,
      maxBatchSize: settings.maxBatchSize,
      maxQueue: settings.maxQueue,
      maxInputTokens: settings.maxInputTokens,
      maxNewTokensLimit: settings.maxNewTokensCap,
    },
    sources: sourceOptions(settings),
    logLevel: settings.logLevel,
    warnings,
  };
}

function defaultModel(): string {
  if (existsSync(join(DEMO_MODEL_DIR, 'config.json'))) return DEMO_MODEL_DIR;
  throw new LlmDeployError('no model given, and the bundled demo model is missing', {
    code: 'CLI_FLAG_INVALID',
    httpStatus: 400,
    field: '--model',
    expected: 'a model directory, file://, gs:// or hf:// URL, or a Hub id org/name (or MODEL_SOURCE_PATH / AIP_STORAGE_URI)',
  });
}

async function loadBackend(settings: ServeSettings, model: Promise<ModelDirectory>): Promise<Backend> {
  const tritonUrl = settings.server.tritonUrl;
  if (settings.backend === 'fastertransformer' && tritonUrl !== undefined) {
    // the model directory still provides the tokenizer and the generation defaults; Triton holds the weights
    const { generationDir, config } = await model;
    const defaults = paramsFromGenerationConfig(await readGenerationConfig(generationDir, config));
    return createTritonBackend({ url: tritonUrl, defaults, settings: settings.engine, timeoutMs: settings.server.requestTimeoutMs });
  }
  if (settings.backend === 'vllm' || settings.backend === 'tensorrt-llm') {
    // the engine holds the weights; the front reads config.json (architecture) and generation_config.json only
    const { generationDir, config, dir } = await model;
    const architecture = config.raw['is_encoder_decoder'] === true ? 'encoder-decoder' : 'decoder-only';
    const supported = OPENAI_ENGINE_ARCHITECTURES[settings.backend];
    if (!supported.includes(architecture)) {
      throw new LlmDeployError(`the ${settings.backend} backend cannot serve this model`, {
        code: 'CLI_FLAG_INVALID',
        httpStatus: 400,
        field: '--backend',
        given: `${settings.backend} with an ${architecture} model`,
        expected: `a ${supported.join(' or ')} model for ${settings.backend}; tensorrt-llm or native for encoder-decoder models (T5, BART)`,
      });
    }
    return createOpenAiEngineBackend({
      kind: settings.backend,
      url: settings.backendUrl ?? ENGINE_URL,
      architecture,
      modelName: basename(dir),
      defaults: paramsFromGenerationConfig(await readGenerationConfig(generationDir, config)),
      settings: settings.engine,
      timeoutMs: settings.server.requestTimeoutMs,
    });
  }
  return loadNativeBackend({ modelDir: (await model).dir, settings: settings.engine });
}

/** Runs the server until SIGTERM/SIGINT; resolves with the exit code. */
export async function runServe(settings: ServeSettings, context: CommandContext): Promise<number> {
  // remote sources are downloaded first; then the layout is recognised (Hugging Face, ONNX or FasterTransformer)
  // Triton and the GPU engines load the weights themselves; the server needs only the tokenizer and configs
  const only = settings.backend === 'native' ? {} : { only: TRITON_SIDE_FILES };
  const onNotice = (line: string): void => void context.stderr.write(`note: ${line}\n`);
  const model = resolveModelSource(settings.modelSource, { ...settings.sources, ...only, onNotice })
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
  const chatTemplate = model.then((opened) => loadChatTemplate(opened.tokenizerDir));
  chatTemplate.catch(() => undefined);
  const logger = { level: settings.logLevel, stream: context.stdout };
  const server = createServer({ ...settings.server, backend, tokenizer, chatTemplate, logger });
  const url = await listenOrExplain(server);
  server.app.log.info({ url, model: settings.modelSource, backend: settings.backend }, 'listening; loading the model');
  return serveUntilSignal(server, context);
}

/** Registers `llm-deploy serve`. */
export function registerServeCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('serve')
    .description('Serve a model over HTTP (Vertex AI, KServe v2, TGI and OpenAI routes, /ui, /metrics).');
  addSettingOptions(command, 'serve')
    .addHelpText('after', HELP)
    .action(async (flags: ServeFlags) => {
      const settings = serveSettingsFromFlags(flags, context.env);
      printWarnings(settings.warnings, context);
      context.setExitCode(await runServe(settings, context));
    });
}
