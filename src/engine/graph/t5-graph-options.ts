/**
 * Graph-building options with their defaults applied in one place. The defaults are the
 * measured choices (`npm run bench` shows the alternatives).
 */
import type { T5GraphOptions } from '../runtime/types.js';
import type { Quantize } from '../settings.js';

/** {@link T5GraphOptions} with every field known. */
export interface T5GraphOptionsResolved {
  readonly quantize: Quantize;
  readonly fuseQkv: boolean;
  readonly int8Operator: 'DynamicQuantizeMatMul' | 'MatMulNBits';
  readonly externalDataThresholdBytes: number;
}

/** Defaults: fp32, separate Q/K/V, external data past 1.5 GB of weights (protobuf stops at 2 GB). */
export const DEFAULT_GRAPH_OPTIONS: T5GraphOptionsResolved = Object.freeze({
  quantize: 'none',
  fuseQkv: false,
  int8Operator: 'MatMulNBits',
  externalDataThresholdBytes: 1.5 * 1024 ** 3,
});

/** Applies the defaults to `options`. */
export function resolveGraphOptions(options: T5GraphOptions = {}): T5GraphOptionsResolved {
  return {
    quantize: options.quantize ?? DEFAULT_GRAPH_OPTIONS.quantize,
    fuseQkv: options.fuseQkv ?? DEFAULT_GRAPH_OPTIONS.fuseQkv,
    int8Operator: options.int8Operator ?? DEFAULT_GRAPH_OPTIONS.int8Operator,
    externalDataThresholdBytes: options.externalDataThresholdBytes ?? DEFAULT_GRAPH_OPTIONS.externalDataThresholdBytes,
  };
}
