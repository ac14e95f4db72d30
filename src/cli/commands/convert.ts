import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import { convertToFasterTransformer, type ConvertEvent, type FtRuntimeDtype, type FtWeightDtype } from '../../convert/index.js';
import { formatProgress } from '../../storage/index.js';
import type { CommandContext } from '../context.js';

interface ConvertFlags {
  readonly model: string;
  readonly to: 'fastertransformer' | 'onnx';
  readonly tensorParallel: string;
  readonly dtype?: FtWeightDtype;
  readonly dataType?: FtRuntimeDtype;
  readonly out: string;
  readonly force?: boolean;
}

/**
 * Registers `llm-deploy convert`.
 * @example llm-deploy convert --model ./flan-t5 --to fastertransformer --tensor-parallel 2 --out gs://bucket/flan-t5-ft
 */
export function registerConvertCommand(program: Command, context: CommandContext): void {
  program
    .command('convert')
    .description('Convert a Hugging Face T5 checkpoint into a FasterTransformer/Triton repository (local path, file:// or gs://).')
    .requiredOption('--model <src>', 'checkpoint: local dir, file://... or gs://bucket/prefix')
    .addOption(new Option('--to <format>', 'target layout').choices(['fastertransformer', 'onnx']).makeOptionMandatory())
    .option('--tensor-parallel <n>', 'GPUs the model is split across (divides d_model, num_heads, d_ff)', '1')
    .addOption(new Option('--dtype <dtype>', 'weight file dtype (default fp32)').choices(['fp32', 'fp16']))
    .addOption(
      new Option('--data-type <dtype>', 'Triton runtime data_type (default bf16 for gated models, else fp16)').choices([
        'fp32',
        'fp16',
        'bf16',
      ]),
    )
    .requiredOption('--out <dest>', 'repository root to create: local dir, file://... or gs://bucket/prefix')
    .option('--force', 'replace a destination that already holds files')
    .action(async (flags: ConvertFlags) => {
      await runConvert(flags, context);
    });
}

async function runConvert(flags: ConvertFlags, context: CommandContext): Promise<void> {
  if (flags.to === 'onnx') {
    throw new LlmDeployError('--to onnx is not available yet; use --to fastertransformer', {
      code: 'CONVERT_TARGET_UNSUPPORTED',
      httpStatus: 400,
      field: '--to',
      given: 'onnx',
      expected: 'fastertransformer',
    });
  }
  const tensorParallel = Number(flags.tensorParallel);
  const endpoint = context.env['STORAGE_EMULATOR_HOST'];
  const result = await convertToFasterTransformer({
    source: flags.model,
    destination: flags.out,
    tensorParallel,
    ...(flags.dtype === undefined ? {} : { weightDtype: flags.dtype }),
    ...(flags.dataType === undefined ? {} : { dataType: flags.dataType }),
    force: flags.force === true,
    cacheDir: context.env['LLM_DEPLOY_CACHE'] ?? join(homedir(), '.cache', 'llm-deploy'),
    ...(endpoint === undefined || endpoint === '' ? {} : { gcs: { apiEndpoint: endpoint } }),
    onEvent: (event) => report(event, context),
  });
  context.stdout.write(
    `converted ${flags.model} -> ${result.destination} (${result.weightFiles} weight files verified, ` +
      `${result.weightDtype} files, data_type ${result.dataType}, model dir ${result.modelDir})\n`,
  );
}

function report(event: ConvertEvent, context: CommandContext): void {
  switch (event.kind) {
    case 'info':
      context.stderr.write(`${event.message}\n`);
      return;
    case 'warning':
      context.stderr.write(`warning: ${event.message}\n`);
      return;
    case 'weights': {
      const { done, total, stem, bytesWritten } = event.progress;
      // Every tenth of the work, and the last weight.
      if (done === total || Math.floor((done * 10) / total) !== Math.floor(((done - 1) * 10) / total)) {
        context.stderr.write(`[${done}/${total}] ${stem} (${(bytesWritten / 1048576).toFixed(1)} MiB written)\n`);
      }
      return;
    }
    case 'transfer':
      context.stderr.write(`${formatProgress(event.progress)}\n`);
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}
