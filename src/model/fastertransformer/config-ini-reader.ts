import { MODEL_FILE_LIMITS, readModelFile } from '../model-file.js';
import { join } from 'node:path';
import { LlmDeployError } from '../../config/index.js';

/** config.ini of a FasterTransformer folder: section -> key -> raw string value. */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Parses the `key = value` lines configparser writes (no interpolation, no multi-line values). */
export function parseIni(text: string): IniSections {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] ?? '', current);
      continue;
    }
    const pair = /^\s*([^=;#\s][^=]*?)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (pair && current !== undefined) current.set((pair[1] ?? '').toLowerCase(), pair[2] ?? '');
  }
  return sections;
}

/** Reads `<dir>/config.ini`. */
export async function readConfigIni(dir: string): Promise<IniSections> {
  const file = join(dir, 'config.ini');
  const bytes = await readModelFile(file, { expected: 'a FasterTransformer config.ini', maxBytes: MODEL_FILE_LIMITS.textBytes });
  return parseIni(bytes?.toString('utf8') ?? '');
}

/** `weight_data_type` as FT's loader reads it (substring match; fp32 when absent). */
export function weightDtypeOf(sections: IniSections, file: string): 'fp32' | 'fp16' {
  const value = sections.get('encoder')?.get('weight_data_type') ?? 'fp32';
  if (value.includes('fp16')) return 'fp16';
  if (value.includes('fp32')) return 'fp32';
  throw new LlmDeployError('unsupported weight_data_type in config.ini', {
    code: 'MODEL_DTYPE_UNSUPPORTED',
    file,
    field: 'encoder.weight_data_type',
    given: value,
    expected: 'fp32 or fp16',
  });
}
