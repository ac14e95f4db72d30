import { LlmDeployError } from './llm-deploy-error.js';

/** One `KEY=VALUE` (or bare `KEY`) line of an env file. */
export interface EnvFileEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
  /** True when the line was a bare `KEY` and the value came from the environment. */
  readonly fromEnvironment: boolean;
}

/** A problem found while reading an env file (reported all at once by the loader). */
export interface EnvFileProblem {
  readonly line: number;
  readonly key: string;
  readonly given: string;
  readonly expected: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Everything read from one env file. */
export interface ParsedEnvFile {
  readonly file: string;
  /** Last occurrence of each key wins (as with Docker). */
  readonly entries: ReadonlyMap<string, EnvFileEntry>;
  readonly problems: readonly EnvFileProblem[];
}

const KEY_PATTERN = /^[^\s=]+$/;

/**
 * Parses a Docker-style env file (`docker run --env-file` rules): `KEY=VALUE` per line, `#` comments,
 * blank lines, no quote stripping, a bare `KEY` takes its value from `env` (absent: unset).
 * CRLF endings and a UTF-8 BOM are accepted.
 * @example parseEnvFile('GPU_COUNT_PER_MODEL=1\nMODEL_SOURCE_PATH=gs://b/m\n', { file: 'prod.env', env: {} })
 */
export function parseEnvFile(
  text: string,
  options: { readonly file: string; readonly env: Readonly<Record<string, string | undefined>> },
): ParsedEnvFile {
  const entries = new Map<string, EnvFileEntry>();
  const problems: EnvFileProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    // Docker trims leading whitespace only; the value keeps everything after the first '='.
    const content = rawLine.replace(/^\s+/, '');
    if (content === '' || content.startsWith('#')) return;
    const equals = content.indexOf('=');
    const key = equals === -1 ? content.replace(/\s+$/, '') : content.slice(0, equals);
    if (key === '') {
      problems.push({
        line,
        key,
        given: rawLine,
        expected: 'a variable name before "="',
        severity: 'error',
        message: 'empty variable name',
      });
      return;
    }
    if (!KEY_PATTERN.test(key)) {
      problems.push({
        line,
        key,
        given: JSON.stringify(key),
        expected: 'a variable name without whitespace',
        severity: 'error',
        message: 'variable name contains whitespace',
      });
      return;
    }
    let entry: EnvFileEntry;
    if (equals === -1) {
      const fromEnv = options.env[key];
      if (fromEnv === undefined) {
        problems.push({
          line,
          key,
          given: `bare ${key}`,
          expected: `${key} to be set in the environment (a bare KEY line takes its value from there)`,
          severity: 'warning',
          message: `${key} is not set in the environment, so this line leaves it unset`,
        });
        return;
      }
      entry = { key, value: fromEnv, line, fromEnvironment: true };
    } else {
      entry = { key, value: content.slice(equals + 1), line, fromEnvironment: false };
    }
    const earlier = entries.get(key);
    if (earlier !== undefined) {
      problems.push({
        line,
        key,
        given: `${key} on lines ${earlier.line} and ${line}`,
        expected: 'each key once',
        severity: 'warning',
        message: `duplicate key ${key}: line ${line} overrides line ${earlier.line}`,
      });
    }
    entries.set(key, entry);
  });
  return { file: options.file, entries, problems };
}

/** Wraps an unreadable env file in a clear error. */
export function envFileUnreadable(file: string, cause: unknown): LlmDeployError {
  return new LlmDeployError('cannot read the env file', {
    code: 'CONFIG_FILE_UNREADABLE',
    httpStatus: 400,
    file,
    expected: 'a readable Docker-style env file (KEY=VALUE per line)',
    cause,
  });
}
