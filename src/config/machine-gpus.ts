import type { SettingProblem } from './config-error.js';
import type { ResolvedSetting } from './load.js';

// GPUs pre-attached to the accelerator-optimized machine types, whose count is fixed by the type:
// https://cloud.google.com/compute/docs/accelerator-optimized-machines and https://cloud.google.com/compute/docs/gpus
// (A2 Standard/Ultra: A100 40GB/80GB; A3 High/Mega/Edge: H100, A3 Ultra: H200; G2: L4).

/** GPUs per machine type of the a2, a3 and g2 series. */
const FIXED_GPUS: Readonly<Record<string, number>> = {
  'a2-highgpu-1g': 1,
  'a2-highgpu-2g': 2,
  'a2-highgpu-4g': 4,
  'a2-highgpu-8g': 8,
  'a2-megagpu-16g': 16,
  'a2-ultragpu-1g': 1,
  'a2-ultragpu-2g': 2,
  'a2-ultragpu-4g': 4,
  'a2-ultragpu-8g': 8,
  'a3-highgpu-1g': 1,
  'a3-highgpu-2g': 2,
  'a3-highgpu-4g': 4,
  'a3-highgpu-8g': 8,
  'a3-megagpu-8g': 8,
  'a3-edgegpu-8g': 8,
  'a3-ultragpu-8g': 8,
  'g2-standard-4': 1,
  'g2-standard-8': 1,
  'g2-standard-12': 1,
  'g2-standard-16': 1,
  'g2-standard-24': 2,
  'g2-standard-32': 1,
  'g2-standard-48': 4,
  'g2-standard-96': 8,
};

/** The GPU count a machine type carries: a number for the fixed-count series, undefined for types not in the table (N1 and others). */
export function fixedGpuCount(vmType: string): number | undefined {
  return Object.hasOwn(FIXED_GPUS, vmType) ? FIXED_GPUS[vmType] : undefined;
}

/**
 * Cross-field GPU rules of a cluster llm-deploy creates: a replica's GPUs fit on one node (GPU_COUNT_PER_MODEL <= GPU_COUNT),
 * and GPU_COUNT is what VM_TYPE carries where the type fixes it; other types pass with a note. An existing cluster's nodes
 * are not described by GPU_COUNT or VM_TYPE, so nothing is checked there.
 */
export function checkGpuFit(resolved: ReadonlyMap<string, ResolvedSetting>, problems: SettingProblem[], notes: string[]): void {
  if (resolved.get('DEPLOY_TARGET')?.value !== 'gke' || resolved.has('EXISTING_CLUSTER_ID')) return;
  const perModel = resolved.get('GPU_COUNT_PER_MODEL');
  const perNode = resolved.get('GPU_COUNT');
  const vmType = resolved.get('VM_TYPE');
  if (perNode === undefined || vmType === undefined) return;
  const fixed = fixedGpuCount(vmType.raw);
  if (fixed === undefined) {
    notes.push(
      `note: GPU_COUNT=${perNode.raw} is not checked against VM_TYPE=${vmType.raw} (not an a2, a3 or g2 type with a fixed GPU count)`,
    );
  } else if (fixed !== perNode.value) {
    problems.push({
      ...problemAt(perNode),
      expected: `${fixed}, the GPUs VM_TYPE=${vmType.raw} carries`,
      message: `VM_TYPE=${vmType.raw} carries ${fixed} GPU${fixed === 1 ? '' : 's'}, not GPU_COUNT=${perNode.raw}`,
    });
  }
  if (perModel !== undefined && typeof perModel.value === 'number' && typeof perNode.value === 'number' && perModel.value > perNode.value) {
    problems.push({
      ...problemAt(perModel),
      expected: `at most GPU_COUNT=${perNode.raw} (GPUs per node)`,
      message: `a replica's GPUs must fit on one node: GPU_COUNT_PER_MODEL=${perModel.raw} is larger than GPU_COUNT=${perNode.raw}, so no pod would schedule`,
    });
  }
}

/** Key, file and line and the given value of a resolved setting, for a problem about it. */
function problemAt(setting: ResolvedSetting): Pick<SettingProblem, 'key' | 'file' | 'line' | 'given'> {
  return {
    key: setting.key,
    ...(setting.source.kind === 'file' ? { file: setting.source.file, line: setting.source.line } : {}),
    given: setting.raw,
  };
}
