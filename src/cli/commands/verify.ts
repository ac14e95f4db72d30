import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import { formatDifferences, verifyDeployment } from '../../deploy/index.js';
import { EXIT, type CommandContext } from '../context.js';

/** Registers `llm-deploy verify`: post a payload to /infer and compare with the expected reply. */
export function registerVerifyCommand(program: Command, context: CommandContext): void {
  program
    .command('verify')
    .description(
      'POST an /infer body to a running server and compare the reply with the expected JSON.\nExit codes: 0 equal, 1 different (a readable diff is printed), 2 the call failed or a file is unreadable.',
    )
    .requiredOption('--url <url>', 'base URL of the server, e.g. http://127.0.0.1:5001')
    .requiredOption('-i, --input <file>', 'the /infer request body (JSON), like predict_payload.json')
    .requiredOption('-o, --output <file>', 'the expected reply (JSON), like predict_result.json')
    .option('--api-key-file <file>', 'file holding the API key, sent as a Bearer token')
    .addHelpText('after', '\nExample:\n  llm-deploy verify --url http://127.0.0.1:5001 -i predict_payload.json -o predict_result.json')
    .action(async (options: { url: string; input: string; output: string; apiKeyFile?: string }) => {
      const apiKey = options.apiKeyFile === undefined ? undefined : (await readFile(options.apiKeyFile, 'utf8')).trim();
      await runVerify({ url: options.url, input: options.input, output: options.output, apiKey }, context);
    });
}

/** Runs the verification and sets the exit code (0 equal, 1 different, 2 call failed). */
export async function runVerify(
  options: { url: string; input: string; output: string; apiKey: string | undefined },
  context: CommandContext,
): Promise<void> {
  const payload = await readJson(options.input);
  const expected = await readJson(options.output);
  const apiKey = options.apiKey;
  let differences;
  try {
    differences = await verifyDeployment({ url: options.url, payload, expected, ...(apiKey === undefined ? {} : { apiKey }) });
  } catch (error) {
    if (LlmDeployError.isInstance(error)) {
      context.stderr.write(`error: ${error.message}\n`);
      context.setExitCode(EXIT.usage);
      return;
    }
    throw error;
  }
  if (differences.length === 0) {
    context.stdout.write(`ok: the reply of ${options.url}/infer equals ${options.output}\n`);
    return;
  }
  context.stdout.write(`the reply differs from ${options.output} in ${differences.length} place(s):\n${formatDifferences(differences)}\n`);
  context.setExitCode(EXIT.failure);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LlmDeployError('cannot read the file', { code: 'DEPLOY_VERIFY_FILE_UNREADABLE', httpStatus: 400, file: path, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LlmDeployError('not valid JSON', {
      code: 'DEPLOY_VERIFY_FILE_INVALID',
      httpStatus: 400,
      file: path,
      expected: 'a JSON document',
      cause,
    });
  }
}
