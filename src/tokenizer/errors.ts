import { errorFactory, type ErrorFacts, type LlmDeployError } from '../config/index.js';
import { boundedFacts } from '../model/index.js';

/** Error codes raised by the tokenizer. */
export type TokenizerErrorCode =
  | 'TOKENIZER_MODEL_MISSING'
  | 'TOKENIZER_MODEL_INVALID'
  | 'TOKENIZER_MODEL_UNSUPPORTED'
  | 'TOKENIZER_CONFIG_INVALID'
  | 'TOKENIZER_ID_INVALID';

/** Facts carried by a tokenizer error. */
export type TokenizerErrorFacts = ErrorFacts & { readonly cause?: unknown };

/** One constructor for every tokenizer error. All are the caller's fault (a bad model directory or id): 400. */
export const tokenizerError = errorFactory<TokenizerErrorCode>({ httpStatus: 400, shapeFacts: (facts) => boundedFacts(facts) });

/** The directory holds none of the files a tokenizer can be built from. */
export function modelMissing(dir: string, lookedFor: readonly string[], cause?: unknown): LlmDeployError {
  return tokenizerError('TOKENIZER_MODEL_MISSING', 'no tokenizer files in this directory', {
    file: dir,
    expected: `one of ${lookedFor.join(', ')}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A tokenizer file that cannot be parsed as what it claims to be. */
export function modelInvalid(file: string, summary: string, facts: Omit<TokenizerErrorFacts, 'file'> = {}): LlmDeployError {
  return tokenizerError('TOKENIZER_MODEL_INVALID', summary, { file, ...facts });
}

/** A well-formed tokenizer file describing something we do not implement (e.g. BPE). */
export function modelUnsupported(file: string, facts: Omit<TokenizerErrorFacts, 'file'>): LlmDeployError {
  return tokenizerError('TOKENIZER_MODEL_UNSUPPORTED', 'tokenizer model is not supported', { file, ...facts });
}
