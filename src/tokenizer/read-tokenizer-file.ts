// Tokenizer files go through the model module's one file opener (regular files only, size-capped) and come
// back with TOKENIZER_ codes; JSON nesting is bounded before the recursive schemas walk it.
import { basename } from 'node:path';
import { LlmDeployError } from '../config/index.js';
import { MAX_JSON_DEPTH, jsonDepthOverflow, readModelFile } from '../model/index.js';
import { modelMissing, tokenizerError, type TokenizerErrorCode } from './errors.js';

/** Options of {@link readTokenizerFile}. */
export interface ReadTokenizerFileOptions {
  readonly maxBytes: number;
  /** What the file should be, for messages. */
  readonly expected: string;
  /** The code a file that is there but unusable (not regular, too large) gets. */
  readonly code: Extract<TokenizerErrorCode, 'TOKENIZER_MODEL_INVALID' | 'TOKENIZER_CONFIG_INVALID'>;
  /** An absent file gives `undefined` instead of TOKENIZER_MODEL_MISSING. */
  readonly optional?: boolean;
}

/** Reads a tokenizer file whole, refusing FIFOs, devices, dangling links and files past `maxBytes`. */
export async function readTokenizerFile(
  file: string,
  options: ReadTokenizerFileOptions & { readonly optional: true },
): Promise<Buffer | undefined>;
export async function readTokenizerFile(file: string, options: ReadTokenizerFileOptions): Promise<Buffer>;
export async function readTokenizerFile(file: string, options: ReadTokenizerFileOptions): Promise<Buffer | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readModelFile(file, {
      expected: options.expected,
      maxBytes: options.maxBytes,
      ...(options.optional === undefined ? {} : { optional: options.optional }),
    });
  } catch (error) {
    if (!LlmDeployError.isInstance(error)) throw error;
    if (error.code === 'MODEL_FILE_MISSING') throw modelMissing(file, [basename(file)], error);
    throw tokenizerError(options.code, 'tokenizer file cannot be used', {
      file,
      ...(error.given === undefined ? {} : { given: error.given }),
      ...(error.expected === undefined ? {} : { expected: error.expected }),
      cause: error,
    });
  }
  if (bytes === undefined && options.optional !== true) throw modelMissing(file, [basename(file)]);
  return bytes;
}

/** JSON.parse after the nesting check; `code` is the error code for bad or too deep JSON. */
export function parseTokenizerJson(text: string, file: string, code: ReadTokenizerFileOptions['code']): unknown {
  const deepAt = jsonDepthOverflow(text);
  if (deepAt !== undefined) {
    throw tokenizerError(code, 'JSON is nested too deeply', {
      file,
      given: `more than ${MAX_JSON_DEPTH} levels at character ${deepAt}`,
      expected: `at most ${MAX_JSON_DEPTH} levels`,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw tokenizerError(code, 'file is not valid JSON', { file, cause: error });
  }
}
