/**
 * A model's chat template rendered as transformers 4.36 `apply_chat_template` renders it: jinja2's
 * `ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)`, one trailing newline of the
 * template dropped, a `raise_exception(message)` global, and the variables `messages`,
 * `add_generation_prompt` and the tokenizer's special tokens (unset ones undefined). This is the one
 * importer of `@huggingface/jinja`, whose `Template` applies trim_blocks, lstrip_blocks and the
 * trailing-newline rule itself (checked against transformers' renders in the tests).
 * @see https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/tokenization_utils_base.py (apply_chat_template, _compile_jinja_template)
 */
import { Environment, Interpreter, Template } from '@huggingface/jinja';
import type { LlmDeployError } from '../../config/index.js';
import type { ChatMessage, ChatRenderOptions } from './chat-message.js';
import { chatTemplateError } from './errors.js';
import { PYTHON_STRIP_GLOBAL, pythonStrip, rewriteStripCalls } from './python-strip.js';
import type { SpecialTokensMap } from '../special-tokens-map.js';

/** A compiled chat template. */
export interface ChatTemplate {
  /** Where the template came from (`chat_template.jinja` or `tokenizer_config.json`), for messages. */
  readonly file: string;
  /** The rendered conversation (text, special tokens written out). */
  render(messages: readonly ChatMessage[], options: ChatRenderOptions): string;
}

/** Options of {@link compileChatTemplate}. */
export interface CompileChatTemplateOptions {
  /** Where the template was read, for messages. */
  readonly file: string;
  /** `bos_token`, `eos_token`, ..., `additional_special_tokens`; absent keys stay undefined in the template. */
  readonly specialTokens: SpecialTokensMap;
}

/** Marks the error thrown by the template's own `raise_exception`, so it is told apart from engine failures. */
class TemplateRaised {
  constructor(readonly templateMessage: string) {}
}

/**
 * Parses a template once; each render is independent.
 * @throws TOKENIZER_CHAT_TEMPLATE_INVALID when the template does not parse.
 * @example compileChatTemplate("{% for m in messages %}{{ m['content'] }}{% endfor %}", { file: 'tokenizer_config.json', specialTokens: {} })
 */
export function compileChatTemplate(source: string, options: CompileChatTemplateOptions): ChatTemplate {
  let template: Template;
  try {
    template = new Template(source);
    rewriteStripCalls(template.parsed, {
      callee: expressionOf(`${PYTHON_STRIP_GLOBAL}`),
      literal: (text) => expressionOf(JSON.stringify(text)),
    });
  } catch (error) {
    throw chatTemplateError('TOKENIZER_CHAT_TEMPLATE_INVALID', 'chat template does not parse', {
      file: options.file,
      given: errorText(error),
      cause: error,
    });
  }
  const specialTokens = { ...options.specialTokens };
  return {
    file: options.file,
    render(messages, renderOptions) {
      try {
        const env = globalsEnvironment();
        for (const [name, value] of Object.entries(specialTokens)) env.set(name, value);
        env.set(
          'messages',
          messages.map((message) => ({ ...message })),
        );
        env.set('add_generation_prompt', renderOptions.addGenerationPrompt);
        const result = new Interpreter(env).run(template.parsed).value;
        return typeof result === 'string' ? result : String(result);
      } catch (error) {
        throw renderError(error, options.file);
      }
    },
  };
}

/** The AST node of one expression, parsed from `{{ expression }}`. */
function expressionOf(expression: string): object {
  const node: unknown = new Template(`{{ ${expression} }}`).parsed.body[0];
  if (typeof node !== 'object' || node === null) throw new Error(`impossible: jinja parsed no expression from ${expression}`);
  return node;
}

/** jinja2's sandbox caps `range` at this many items (MAX_RANGE), so a template cannot build a huge list. */
const MAX_RANGE = 100_000;

/** The globals 4.36's environment has: jinja2's literals and `range`, plus transformers' `raise_exception`; no `strftime_now`. */
function globalsEnvironment(): Environment {
  const env = new Environment();
  for (const [name, value] of [
    ['true', true],
    ['false', false],
    ['none', null],
    ['True', true],
    ['False', false],
    ['None', null],
  ] as const) {
    env.set(name, value);
  }
  env.set('raise_exception', (message: unknown): never => {
    throw new TemplateRaised(String(message));
  });
  env.set('range', pythonRange);
  env.set(PYTHON_STRIP_GLOBAL, pythonStrip);
  return env;
}

/** Python's `range(stop)` / `range(start, stop[, step])` as a list, refused past {@link MAX_RANGE} items. */
function pythonRange(first: unknown, second?: unknown, third?: unknown): number[] {
  const [start, stop, step] =
    second === undefined ? [0, Number(first), 1] : [Number(first), Number(second), third === undefined ? 1 : Number(third)];
  if (![start, stop, step].every(Number.isInteger) || step === 0) throw new RangeError('range() takes integers and a non-zero step');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE) throw new RangeError(`range too big: ${length} items, at most ${MAX_RANGE}`);
  return Array.from({ length }, (_, index) => start + index * step);
}

function renderError(error: unknown, file: string): LlmDeployError {
  if (error instanceof TemplateRaised) {
    // the template's own words, as transformers' TemplateError carries them
    return chatTemplateError('TOKENIZER_CHAT_TEMPLATE_RAISED', `chat template refused the conversation: ${error.templateMessage}`, {
      file,
      field: 'messages',
    });
  }
  return chatTemplateError('TOKENIZER_CHAT_TEMPLATE_FAILED', 'chat template failed to render this conversation', {
    file,
    field: 'messages',
    given: errorText(error),
    cause: error,
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
