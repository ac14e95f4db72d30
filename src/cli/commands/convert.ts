import { Option, type Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import {
  convertToFasterTransformer,
  convertToOnnxDirectory,
  type ConvertEvent,
  type FtRuntimeDtype,
  type FtWeightDtype,
} from '../../convert/index.js';
import type { Quantize } from '../../engine/index.js';
import { formatProgress } from '../../storage/index.js';
import type { CommandContext } from '../context.js';
import { loadRuntimeSettings } from '../settings.js';
import { sourceOptions } from '../source-options.js';

interface ConvertFlags {
  readonly model: string;
  readonly to: 'fastertransformer' | 'onnx';
  readonly tensorParallel: string;
  readonly dtype?: FtWeightDtype;
  readonly dataType?: FtRuntimeDtype;
  readonly out: string;
  readonly force?: boolean;
  readonly quantize?: Quantize;
}

/**
 * Registers `llm-deploy convert`.
 * @example llm-deploy convert --model ./flan-t5 --to fastertransformer --tensor-parallel 2 --out gs://bucket/flan-t5-ft
 */
export function registerConvertCommand(program: Command, context: CommandContext): void {
  program
    .command('convert')
    .description(
      'Convert a Hugging Face T5 checkpoint into a FasterTransformer/Triton repository or an ONNX directory that serve\n' +
        'loads without rebuilding graphs. SRC and DEST: local path, file:// or gs://bucket/prefix.',
    )
    .requiredOption('--model <src>', 'checkpoint: local dir, file://... or gs://bucket/prefix')
    .addOption(new Option('--to <format>', 'target layout').choices(['fastertransformer', 'onnx']).makeOptionMandatory())
    .option('--tensor-parallel <n>', 'FasterTransformer: GPUs the model is split across (divides d_model, num_heads, d_ff)', '1')
    .addOption(new Option('--dtype <dtype>', 'weight file dtype (default fp32)').choices(['fp32', 'fp16']))
    .addOption(
      new Option('--data-type <dtype>', 'Triton runtime data_type (default bf16 for gated models, else fp16)').choices([
        'fp32',
        'fp16',
        'bf16',
      ]),
    )
    .requiredOption('--out <dest>', 'repository root to create: local dir, file://... or gs://bucket/prefix')
    .addOption(
      new Option('--quantize <mode>', 'ONNX only: int8 weights (smaller, faster on CPU) or none (default)').choices(['none', 'int8']),
    )
    .option('--force', 'replace a destination that already holds files')
    .action(async (flags: ConvertFlags) => {
      await runConvert(flags, context);
    });
}

async function runConvert(flags: ConvertFlags, context: CommandContext): Promise<void> {
  const { settings } = loadRuntimeSettings(context);
  const common = { source: flags.model, destination: flags.out, force: flags.force === true, ...sourceOptions(settings) };
  if (flags.to === 'onnx') {
    refuseFasterTransformerFlags(flags);
    const result = await convertToOnnxDirectory({
      ...common,
      ...(flags.quantize === undefined ? {} : { quantize: flags.quantize }),
      onInfo: (message) => report({ kind: 'info', message }, context),
      onTransfer: (progress) => report({ kind: 'transfer', progress }, context),
    });
    context.stdout.write(
      `converted ${flags.model} -> ${result.destination} (ONNX graphs ${result.graphFiles.join(', ')}; ` +
        `quantize ${result.quantize}; copied ${result.sideFiles.join(', ')})\n`,
    );
    return;
  }
  if (flags.quantize !== undefined) {
    throw new LlmDeployError('--quantize applies to --to onnx only', {
      code: 'CONVERT_OPTION_INVALID',
      httpStatus: 400,
      field: '--quantize',
      expected: '--dtype fp32|fp16 and --data-type fp32|fp16|bf16 with --to fastertransformer',
    });
  }
  const result = await convertToFasterTransformer({
    ...common,
    tensorParallel: Number(flags.tensorParallel),
    ...(flags.dtype === undefined ? {} : { weightDtype: flags.dtype }),
    ...(flags.dataType === undefined ? {} : { dataType: flags.dataType }),
    onEvent: (event) => report(event, context),
  });
  context.stdout.write(
    `converted ${flags.model} -> ${result.destination} (${result.weightFiles} weight files verified, ` +
      `${result.weightDtype} files, data_type ${result.dataType}, model dir ${result.modelDir})\n`,
  );
}

// Flags that only shape a FasterTransformer layout are an error with --to onnx, not silently ignored.
function refuseFasterTransformerFlags(flags: ConvertFlags): void {
  const given = [
    flags.tensorParallel !== '1' ? '--tensor-parallel' : undefined,
    flags.dtype === undefined ? undefined : '--dtype',
    flags.dataType === undefined ? undefined : '--data-type',
  ].filter((flag) => flag !== undefined);
  if (given.length > 0) {
    throw new LlmDeployError('these flags apply to --to fastertransformer only', {
      code: 'CONVERT_OPTION_INVALID',
      httpStatus: 400,
      field: given.join(', '),
      expected: '--quantize none|int8 with --to onnx',
    });
  }
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
