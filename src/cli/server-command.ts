import { fileURLToPath } from 'node:url';
import type { LoadedSettings } from '../config/index.js';

/** argv that runs this same CLI (`node -- bin/llm-deploy.js`), for child processes such as a detached server. */
export function selfCommand(): string[] {
  return [process.execPath, '--', fileURLToPath(new URL('../../bin/llm-deploy.js', import.meta.url))];
}

/** The environment of a child process: ours, plus every setting the env file gave. */
export function childEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  loaded: LoadedSettings,
): Record<string, string | undefined> {
  const fromFile = [...loaded.sources.values()].filter((entry) => entry.source.kind === 'file').map((entry) => [entry.key, entry.raw]);
  return { ...env, ...Object.fromEntries(fromFile) };
}
