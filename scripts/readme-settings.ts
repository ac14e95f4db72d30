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

`;
writeFileSync(path, `${readme.slice(0, start + begin.length)}\n${intro}${settingsMarkdown()}\n${readme.slice(stop)}`);
