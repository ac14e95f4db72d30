/**
 * The YAML form of an env file, as `gcloud run jobs deploy --env-vars-file F.yml` takes it: one flat
 * mapping of `KEY: value` (https://cloud.google.com/run/docs/configuring/environment-variables,
 * https://cloud.google.com/functions/1stgendocs/configuring/env-var). Numbers and booleans become their
 * string form, as Cloud Run stores every variable as a string; an empty value means "not set".
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import type { EnvFileEntry, EnvFileProblem, ParsedEnvFile } from './env-file.js';

/** True when `file` is read as YAML: decided by its extension, `.yml` or `.yaml` (any case). */
export function isYamlEnvFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/**
 * Parses a flat YAML mapping of `KEY: scalar`; nested mappings, lists, duplicate keys and a document
 * that is not a mapping are errors naming their line.
 * @example parseYamlEnvFile('GPU_COUNT_PER_MODEL: 1\nMODEL_SOURCE_PATH: gs://b/m\n', { file: 'cluster_config.yml' })
 */
export function parseYamlEnvFile(text: string, options: { readonly file: string }): ParsedEnvFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  const problems: EnvFileProblem[] = document.errors.map((error) => ({
    line: lineOf(error.pos[0]),
    key: '(yaml)',
    given: error.code,
    expected: 'a flat YAML mapping of KEY: value, each key once',
    severity: 'error',
    message: error.message.split('\n')[0] ?? error.code,
  }));
  const entries = new Map<string, EnvFileEntry>();
  if (problems.length > 0 || document.contents === null) return { file: options.file, entries, problems };
  if (!isMap(document.contents)) {
    problems.push(shapeProblem(lineOf(document.contents.range?.[0]), '(document)', 'a scalar or list', 'the document is not a mapping'));
    return { file: options.file, entries, problems };
  }
  for (const pair of document.contents.items) {
    const keyNode: unknown = pair.key;
    const line = lineOf(isNode(keyNode) ? keyNode.range?.[0] : undefined);
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!isScalar(keyNode) || key === '' || /\s/.test(key)) {
      problems.push(shapeProblem(line, key || '(empty key)', JSON.stringify(key), 'a key must be a variable name without whitespace'));
      continue;
    }
    const value: unknown = pair.value;
    if (value !== null && !isScalar(value)) {
      problems.push(shapeProblem(line, key, isMap(value) ? 'a mapping' : 'a list', 'nested values are not environment variables'));
      continue;
    }
    const scalar = value === null ? null : value.value;
    entries.set(key, { key, value: scalar === null || scalar === undefined ? '' : String(scalar), line, fromEnvironment: false });
  }
  return { file: options.file, entries, problems };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function shapeProblem(line: number, key: string, given: string, message: string): EnvFileProblem {
  return { line, key, given, expected: 'a flat YAML mapping of KEY: value (string, number or boolean)', severity: 'error', message };
}
