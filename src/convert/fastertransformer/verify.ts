import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fasterTransformerWeights, ftRankShape, ftWeightFiles, type T5Config } from '../../model/index.js';
import { convertError } from '../errors.js';
import type { FtWeightDtype } from './config-ini.js';

/** One expected FT weight file and its exact size. */
export interface ExpectedFtFile {
  readonly file: string;
  readonly bytes: number;
}

/** Every weight file the layout must hold, with `elements x bytes per element`, from the config alone. */
export function expectedFtFiles(config: T5Config, tensorParallel: number, weightDtype: FtWeightDtype): ExpectedFtFile[] {
  const width = weightDtype === 'fp16' ? 2 : 4;
  return fasterTransformerWeights(config).flatMap((weight) => {
    const elements = ftRankShape(weight, tensorParallel).reduce((a, b) => a * b, 1);
    return ftWeightFiles(weight, tensorParallel).map((file) => ({ file, bytes: elements * width }));
  });
}

/**
 * Checks that `dir` holds every expected weight file with exactly the expected size; FT's loader
 * would only warn and serve garbage otherwise. Throws CONVERT_VERIFY_FAILED listing the problems.
 */
export async function verifyFtWeights(
  dir: string,
  config: T5Config,
  options: { tensorParallel: number; weightDtype: FtWeightDtype },
): Promise<number> {
  const problems: string[] = [];
  const expected = expectedFtFiles(config, options.tensorParallel, options.weightDtype);
  for (const { file, bytes } of expected) {
    try {
      const size = (await stat(join(dir, file))).size;
      if (size !== bytes) problems.push(`${file}: ${size} bytes, expected ${bytes}`);
    } catch {
      problems.push(`${file}: missing`);
    }
  }
  if (problems.length > 0) {
    throw convertError('CONVERT_VERIFY_FAILED', 'converted weight files are missing or have the wrong size', {
      file: dir,
      given: `${problems.length} problem(s): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; ...' : ''}`,
      expected: `${expected.length} files of elements x ${options.weightDtype === 'fp16' ? 2 : 4} bytes`,
    });
  }
  return expected.length;
}
