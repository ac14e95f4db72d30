import { errorFactory, type ErrorFacts, type LlmDeployError } from '../config/index.js';

/** Error codes raised while reading a model directory. */
export type ModelErrorCode =
  | 'MODEL_FILE_MISSING'
  | 'MODEL_FILE_NOT_REGULAR'
  | 'MODEL_FILE_TOO_LARGE'
  | 'MODEL_CONFIG_INVALID'
  | 'MODEL_UNSUPPORTED'
  | 'MODEL_WEIGHTS_INVALID'
  | 'MODEL_TENSOR_MISSING'
  | 'MODEL_TENSOR_SHAPE'
  | 'MODEL_DTYPE_UNSUPPORTED'
  | 'MODEL_PICKLE_UNSAFE'
  | 'MODEL_PICKLE_UNEXPECTED';

/** Facts for {@link modelError}; `file` is the file the problem was found in. */
export type ModelErrorFacts = ErrorFacts & { readonly cause?: unknown };

/** One constructor for every model error, so each carries its facts as fields (names and values cut to 200 characters). */
export const modelError = errorFactory<ModelErrorCode>({ shapeFacts: (facts) => boundedFacts(facts) });

const MAX_FACT_CHARS = 200;

/** `field`, `given` and `expected` cut to 200 characters: a tensor or member name inside a file can be megabytes long. */
export function boundedFacts<T extends ErrorFacts>(facts: T): T {
  const cut = (text: string | undefined): string | undefined =>
    text !== undefined && text.length > MAX_FACT_CHARS ? `${text.slice(0, MAX_FACT_CHARS - 3)}...` : text;
  const field = cut(facts.field);
  const given = cut(facts.given);
  const expected = cut(facts.expected);
  return {
    ...facts,
    ...(field === undefined ? {} : { field }),
    ...(given === undefined ? {} : { given }),
    ...(expected === undefined ? {} : { expected }),
  };
}

/** A required file of the model directory is absent or unreadable. */
export function fileMissing(file: string, expected: string, cause?: unknown): LlmDeployError {
  return modelError('MODEL_FILE_MISSING', 'model file is missing or unreadable', {
    file,
    expected,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A weight file whose bytes do not hold what its format promises. */
export function weightsInvalid(file: string, summary: string, facts: Omit<ModelErrorFacts, 'file'> = {}): LlmDeployError {
  return modelError('MODEL_WEIGHTS_INVALID', summary, { file, ...facts });
}

/** Renders a value for an error message: JSON-like, at most 80 characters, whatever the value's size or depth. */
export function renderValue(value: unknown): string {
  const text = value === undefined ? 'nothing' : renderBounded(value, { left: 81 }, 0);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// Walks at most four levels and stops once the budget is spent, so a huge or deeply nested value costs little.
function renderBounded(value: unknown, budget: { left: number }, depth: number): string {
  if (budget.left <= 0) return '';
  let text: string;
  if (typeof value === 'object' && value !== null) {
    const open = Array.isArray(value) ? '[' : '{';
    const close = Array.isArray(value) ? ']' : '}';
    if (depth >= 4) {
      text = `${open}...${close}`;
    } else {
      const parts: string[] = [];
      for (const key in value) {
        if (budget.left <= 0 || parts.length >= 80) break;
        const item: unknown = (value as Record<string, unknown>)[key];
        const label = Array.isArray(value) ? '' : `${JSON.stringify(key.slice(0, 81))}:`;
        budget.left -= label.length + 1;
        parts.push(`${label}${renderBounded(item, budget, depth + 1)}`);
      }
      text = `${open}${parts.join(',')}${close}`;
    }
  } else {
    text = typeof value === 'string' ? JSON.stringify(value.slice(0, 81)) : String(value);
    budget.left -= text.length;
  }
  return text;
}

/** Renders a tensor shape as `[a, b]`. */
export function renderShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
