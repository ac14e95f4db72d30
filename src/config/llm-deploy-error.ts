const marker = Symbol.for('llm-deploy.error');

/** Facts an error carries as fields, so callers never parse messages. */
export interface ErrorFacts {
  /** File the problem was found in. */
  readonly file?: string;
  /** 1-based line within `file`. */
  readonly line?: number;
  /** Setting, JSON path, tensor or field name. */
  readonly field?: string;
  /** The value that was given (rendered for people). */
  readonly given?: string;
  /** What was expected instead. */
  readonly expected?: string;
}

/** Options for {@link LlmDeployError}. */
export interface LlmDeployErrorOptions extends ErrorFacts {
  /** Stable, area-prefixed code such as `CONFIG_FIELD_INVALID`. */
  readonly code: string;
  /** HTTP status when this error reaches a client; 4xx only when the caller is at fault. */
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

/**
 * The one base class of every error llm-deploy raises on purpose.
 * The message is built from the facts unless one is given.
 * @example throw new LlmDeployError('bad port', { code: 'CONFIG_FIELD_INVALID', field: 'PORT', given: 'x', expected: 'an integer 1..65535', httpStatus: 400 })
 */
export class LlmDeployError extends Error implements ErrorFacts {
  readonly code: string;
  readonly httpStatus: number;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly given?: string;
  readonly expected?: string;
  constructor(summary: string, options: LlmDeployErrorOptions) {
    super(composeMessage(summary, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmDeployError';
    Object.defineProperty(this, marker, { value: true });
    this.code = options.code;
    this.httpStatus = options.httpStatus ?? 500;
    if (options.file !== undefined) this.file = options.file;
    if (options.line !== undefined) this.line = options.line;
    if (options.field !== undefined) this.field = options.field;
    if (options.given !== undefined) this.given = options.given;
    if (options.expected !== undefined) this.expected = options.expected;
  }

  /** True for any LlmDeployError, even one from a second copy of this module. */
  static isInstance(value: unknown): value is LlmDeployError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** "file:line: field: summary (given X; expected Y)" with the absent parts left out. */
export function composeMessage(summary: string, facts: ErrorFacts): string {
  const where = [facts.file, facts.line === undefined ? undefined : String(facts.line)].filter(Boolean).join(':');
  const head = [where, facts.field].filter(Boolean).join(': ');
  const detail = [
    facts.given === undefined ? undefined : `given ${facts.given}`,
    facts.expected === undefined ? undefined : `expected ${facts.expected}`,
  ].filter(Boolean);
  return `${head ? `${head}: ` : ''}${summary}${detail.length > 0 ? ` (${detail.join('; ')})` : ''}`;
}

/** Facts an area's error constructor takes: everything but the code. */
export type ErrorFactoryFacts = Omit<LlmDeployErrorOptions, 'code'>;

/** Options of {@link errorFactory}. */
export interface ErrorFactoryOptions {
  /** Status when the facts give none (e.g. 400 for an area whose errors are all the caller's). */
  readonly httpStatus?: number;
  /** Rewrites the facts first, e.g. to cut names that come from inside a file. */
  readonly shapeFacts?: (facts: ErrorFactoryFacts) => ErrorFactoryFacts;
}

/**
 * An area's one error constructor, typed by its codes, so each error carries its facts as fields.
 * @example export const storageError = errorFactory<StorageErrorCode>();
 */
export function errorFactory<Code extends string>(
  options: ErrorFactoryOptions = {},
): (code: Code, summary: string, facts?: ErrorFactoryFacts) => LlmDeployError {
  return (code, summary, facts = {}) =>
    new LlmDeployError(summary, {
      code,
      ...(options.httpStatus === undefined ? {} : { httpStatus: options.httpStatus }),
      ...(options.shapeFacts === undefined ? facts : options.shapeFacts(facts)),
    });
}
