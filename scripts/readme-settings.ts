// Rewrites the settings section of README.md from the settings table: node --import tsx scripts/readme-settings.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { settingsMarkdown } from '../src/config/index.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const begin = '<!-- BEGIN settings -->';
const end = '<!-- END settings -->';
const start = readme.indexOf(begin);
const stop = readme.indexOf(end);
if (start === -1 || stop === -1) throw new Error('README.md lacks the settings markers (assert)');
const intro = `## Settings

Every setting is an environment variable. \`deploy\`, \`render\`, \`status\`, \`teardown\` and \`config\` read them from an
env file given with \`--env-file\` (Docker syntax: \`KEY=VALUE\` per line, \`#\` comments, no quote stripping, a bare
\`KEY\` takes its value from the environment); the file wins over the process environment, and flags win over both.
\`serve\`, \`tokenize\` and \`convert\` need no env file: flags, then the environment. \`llm-deploy config --env-file F\`
shows each resolved value and where it came from; a bad file is reported all at once (file, line, key, value given,
what is expected) with exit code 2.

Precedence: port \`--port\` > \`AIP_HTTP_PORT\` > \`PORT\` > 5000; host \`--host\` > \`HOST\` > \`0.0.0.0\`; model \`--model\` >
\`AIP_STORAGE_URI\` > \`MODEL_SOURCE_PATH\` > the bundled demo model.

Each setting is one row of \`src/config/settings-table.ts\`; these tables, \`serve\`'s flags and their help, the option
defaults and ranges of the server and the engine, and the pods' environment are all derived from it. "read by": \`spec\`
is the deployment commands (deploy, render, status, teardown, config), a flag in parentheses is \`serve\`'s; "pod: env"
rows reach the deployed server container as environment values (given or default), "pod: Secret" rows through the
Kubernetes Secret \`<MODEL_NAME>-secrets\` (\`secretKeyRef\`, never a plain value).

Changed where two definitions disagreed (the table won):
- \`API_KEY\` now reaches deployed pods, through a Secret; before, a deployed server was open.
- \`OPENAI_ANY_MODEL\`, \`ENGINE_THREADS\`, \`AIP_HEALTH_ROUTE\` and \`AIP_PREDICT_ROUTE\` now reach deployed pods.
- Code that calls \`createServer\` / \`loadNativeBackend\` directly gets the table's ranges: \`maxInstances\` at most 4096,
  \`maxInputTokens\` and \`maxNewTokensCap\` at most 65536, \`requestTimeoutMs\` 100 to 3600000, \`maxBatchSize\` at most
  1024, \`maxQueue\` at least 1, \`threads\` at most 256 (the schemas there allowed wider ranges).
- \`serve\`'s own \`BACKEND\` (native | triton | vllm | tensorrt-llm) and the deployment's \`SERVING_BACKEND\` were two
  settings for one thing, what runs the model; they are now the one \`SERVING_BACKEND\` (\`serve --backend\`), where
  \`triton\` is the older name of \`fastertransformer\` (\`serve\` forwards to Triton). An env file or environment that
  still says \`BACKEND=...\` is read as \`SERVING_BACKEND\` with a note on stderr (as \`GPU_NUMBER\` is), refused when it
  contradicts \`SERVING_BACKEND\`, and ignored, with a note, when a \`--backend\` flag is given. Deployed pods are
  told their backend as \`serve --backend <SERVING_BACKEND>\` (native included).
- \`convert\` and \`tokenize\` read the environment through the loader: an empty value is unset (an empty
  \`AIP_STORAGE_URI\` falls through to \`MODEL_SOURCE_PATH\`), \`LLM_DEPLOY_CACHE=~/x\` expands \`~\`, and an invalid
  setting in the environment is reported (exit 2) as it is for \`serve\`.

`;
writeFileSync(path, `${readme.slice(0, start + begin.length)}\n${intro}${settingsMarkdown()}\n${readme.slice(stop)}`);
