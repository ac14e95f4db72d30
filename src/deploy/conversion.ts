/** A FasterTransformer conversion of a checkpoint: what `convert` reads, where it writes, over how many GPUs. */
export interface Conversion {
  readonly modelSource: string;
  readonly convertedPath: string;
  readonly tensorParallel: number;
}

/**
 * The `llm-deploy convert` arguments (after the program) of a conversion: the same line runs in the
 * cluster's conversion Job and as the local target's child process.
 */
export function conversionArgs(conversion: Conversion): string[] {
  return [
    'convert',
    '--model',
    conversion.modelSource,
    '--to',
    'fastertransformer',
    '--tensor-parallel',
    String(conversion.tensorParallel),
    '--out',
    conversion.convertedPath,
    '--force',
  ];
}

/** One line for progress and dry runs. */
export function describeConversion(conversion: Conversion): string {
  return `convert ${conversion.modelSource} -> ${conversion.convertedPath} (FasterTransformer, tensor-parallel ${conversion.tensorParallel})`;
}
