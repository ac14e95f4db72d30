import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { LlmDeployError } from '../../config/index.js';
import { loadTokenizer, type Tokenizer } from '../../tokenizer/index.js';
import type { CommandContext } from '../context.js';
import { loadRuntimeSettings, settingFlagsFromOptions } from '../settings.js';

const HELP_EXAMPLES = `
Input and output are JSON lines: one JSON value per line in, one per line out.
  encode (default): each line is a JSON string; prints its token ids with the special tokens the tokenizer adds
                    (T5: </s> appended; decoder-only: what tokenizer.json's post-processor adds, e.g. <s>).
  --decode:         each line is a JSON array of ids; prints the text (special tokens skipped).
A line that is not what is expected stops the run with an error naming its line (exit code 2).
Only the tokenizer files are read (spiece.model, else tokenizer.json, else Marian's source.spm + target.spm +
vocab.json, else GPT-2's vocab.json + merges.txt, plus tokenizer_config.json and special_tokens_map.json).

Examples (the tiny test model of this repository):
  $ echo '"Hello world!"' | llm-deploy tokenize --model test/fixtures/t5-tiny-relu
  [293,11,308,26,1436,1310,1]
  $ echo '[293,11,308,26,1436,1310,1]' | llm-deploy tokenize --model file://$PWD/test/fixtures/t5-tiny-relu --decode
  "Hello world!"
`;

const encodeLine = z.string();
const decodeLine = z.array(z.number().int().min(0));

/** Options of `llm-deploy tokenize`. */
interface TokenizeOptions {
  readonly model?: string;
  readonly decode?: boolean;
}

function badLine(line: number, text: string, expected: string): LlmDeployError {
  return new LlmDeployError('input line is not what tokenize expects', {
    code: 'TOKENIZER_INPUT_INVALID',
    httpStatus: 400,
    file: 'stdin',
    line,
    given: text.length > 60 ? `${JSON.stringify(text.slice(0, 57))}...` : JSON.stringify(text),
    expected,
  });
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Turns one input line into one output line, or throws naming the line. */
function processLine(tokenizer: Tokenizer, decode: boolean, text: string, line: number): string {
  const json = parseLine(text);
  if (decode) {
    const ids = decodeLine.safeParse(json);
    if (!ids.success) throw badLine(line, text, 'a JSON array of non-negative integer token ids, e.g. [8774,1]');
    return JSON.stringify(tokenizer.decode(ids.data, { skipSpecialTokens: true }));
  }
  const input = encodeLine.safeParse(json);
  if (!input.success) throw badLine(line, text, 'a JSON string, e.g. "Hello world"');
  return JSON.stringify(tokenizer.encode(input.data));
}

const noModel = (): never => {
  throw new LlmDeployError('no model directory given', {
    code: 'TOKENIZER_MODEL_MISSING',
    httpStatus: 400,
    field: '--model',
    expected:
      'a directory (or file:// URL) holding spiece.model, tokenizer.json, source.spm + target.spm + vocab.json or vocab.json + merges.txt',
  });
};

function modelSource(options: TokenizeOptions, context: CommandContext): string {
  // --model > AIP_STORAGE_URI > MODEL_SOURCE_PATH, as the loader resolves MODEL_SOURCE for serve
  const source = loadRuntimeSettings(context, settingFlagsFromOptions({ ...options }, 'tokenize')).settings.modelSource ?? noModel();
  if (/^[a-z][a-z0-9+.-]*:\/\//iu.test(source) && !source.startsWith('file://')) {
    throw new LlmDeployError('tokenize reads local model directories only', {
      code: 'TOKENIZER_MODEL_MISSING',
      httpStatus: 400,
      field: '--model',
      given: source,
      expected: 'a local directory or file:// URL (download gs:// sources first)',
    });
  }
  return source;
}

async function writeLines(context: CommandContext, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const chunk = `${lines.join('\n')}\n`;
  lines.length = 0;
  if (!context.stdout.write(chunk)) await new Promise<void>((resolve) => context.stdout.once('drain', resolve));
}

async function runTokenize(options: TokenizeOptions, context: CommandContext): Promise<void> {
  const tokenizer = await loadTokenizer(modelSource(options, context));
  const reader = createInterface({ input: context.stdin, crlfDelay: Infinity });
  const pending: string[] = [];
  let line = 0;
  try {
    for await (const text of reader) {
      line += 1;
      // A byte-order mark some editors write is not part of the first JSON value.
      const json = line === 1 ? text.replace(/^\uFEFF/u, '') : text;
      pending.push(processLine(tokenizer, options.decode === true, json, line));
      if (pending.length >= 256) await writeLines(context, pending);
    }
  } finally {
    reader.close();
    await writeLines(context, pending);
  }
}

/**
 * Registers `llm-deploy tokenize`: JSON lines of text in, token ids out (or back with --decode).
 * @example echo '"Hello"' | llm-deploy tokenize --model ./flan-t5-small
 */
export function registerTokenizeCommand(program: Command, context: CommandContext): void {
  program
    .command('tokenize')
    .description("Tokenize JSON-string lines from stdin with a model's tokenizer (or decode id arrays with --decode).")
    .option(
      '--model <dir>',
      'model directory or file:// URL with spiece.model, tokenizer.json, source.spm + target.spm + vocab.json or vocab.json + merges.txt (default: $AIP_STORAGE_URI, then $MODEL_SOURCE_PATH)',
    )
    .option('--decode', 'read JSON arrays of token ids and print the decoded text, special tokens skipped')
    .addHelpText('after', HELP_EXAMPLES)
    .action((options: TokenizeOptions) => runTokenize(options, context));
}
