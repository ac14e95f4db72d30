/**
 * Node.js 20 and 24 read `--env-file F` anywhere in their own argv up to the first `--`, even after
 * the script name: a missing F stops Node with exit 9, and F's NODE_OPTIONS is applied before any
 * JavaScript runs, although F is then not loaded into process.env.
 * See https://github.com/nodejs/node/issues/54232 and https://github.com/nodejs/node/pull/54237
 * (the `--` stop). The bin's shebang (`node --`) keeps Node away from our flags; this module catches
 * the launches that skip it (`node bin/llm-deploy.js ... --env-file F`).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { LlmDeployError } from '../config/index.js';

const NODE_ENV_FILE_FLAGS = ['--env-file', '--env-file-if-exists'];

/**
 * The env files Node.js itself read from the CLI's arguments: none when `--` separated Node's own
 * options from the script, as the bin's shebang does.
 * @example envFilesReadByNode(['node', 'bin/llm-deploy.js', 'config', '--env-file', 'a.env'], ['config', '--env-file', 'a.env']) // ['a.env']
 */
export function envFilesReadByNode(commandLine: readonly string[], scriptArgs: readonly string[]): string[] {
  const nodePart = commandLine.slice(1, commandLine.length - scriptArgs.length);
  if (nodePart.includes('--')) return [];
  const files: string[] = [];
  for (let index = 0; index < scriptArgs.length; index += 1) {
    const arg = scriptArgs[index] ?? '';
    if (arg === '--') break;
    const flag = NODE_ENV_FILE_FLAGS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (flag === undefined) continue;
    const value = arg === flag ? scriptArgs[index + 1] : arg.slice(flag.length + 1);
    if (value !== undefined) files.push(value);
  }
  return files;
}

/** Node's own argv on Linux (`/proc/self/cmdline`); undefined where it cannot be read. */
export function nodeCommandLine(): string[] | undefined {
  try {
    return readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * Throws CLI_ENV_FILE_READ_BY_NODE (exit 2) when Node.js has already applied NODE_OPTIONS from one of
 * our env files: the CLI says that key is ignored, so it must not run under options it did not choose.
 */
export function refuseNodeAppliedOptions(files: readonly string[]): void {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // Node stops on a missing --env-file before we run; --env-file-if-exists skips it
    }
    // Node's own parser, so the check sees exactly what Node applied
    const nodeOptions = parseEnv(text)['NODE_OPTIONS'];
    if (nodeOptions === undefined || nodeOptions.trim() === '') continue;
    throw new LlmDeployError('Node.js applied NODE_OPTIONS from this env file before llm-deploy started', {
      code: 'CLI_ENV_FILE_READ_BY_NODE',
      httpStatus: 400,
      file,
      field: 'NODE_OPTIONS',
      given: JSON.stringify(nodeOptions),
      expected:
        'start the CLI as `llm-deploy ...`, `npx -- llm-deploy ...` or `node -- bin/llm-deploy.js ...` (Node.js reads --env-file after a script name unless `--` comes first)',
    });
  }
}
