/**
 * Building blocks shared by the T5 encoder and decoder graphs: RMS layer norm, linear layers
 * (fp32 MatMul or int8 MatMulNBits), the feed-forward variants and multi-head helpers.
 * Hugging Face stores linear weights as `[out, in]`; ONNX MatMul wants `[in, out]`.
 */
import type { T5Config, WeightStore } from '../../model/index.js';
import type { Quantize } from '../settings.js';
import type { GraphBuilder } from './proto.js';
import { activation } from './activations.js';
import { shapeConstant } from './graph-constants.js';
import { quantizeBlocks8, quantizeColumns8 } from './quantize-int8.js';

/** Everything a graph-building function needs. */
export interface T5GraphContext {
  readonly graph: GraphBuilder;
  readonly config: T5Config;
  readonly weights: WeightStore;
  readonly quantize: Quantize;
  /** Operator of int8 linear layers. */
  readonly int8Operator?: Int8Operator;
}

/** onnxruntime contrib operators for int8 weights: per-column int8 with dynamically quantised activations, or 8-bit blocks. */
export type Int8Operator = 'DynamicQuantizeMatMul' | 'MatMulNBits';

/** Weights per MatMulNBits block (along the input dimension). */
export const INT8_BLOCK_SIZE = 128;

/** `[rows, in]` float32 -> `[in, rows]`. */
export function transpose2d(data: Float32Array, rows: number, columns: number): Float32Array {
  const result = new Float32Array(data.length);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    for (let column = 0; column < columns; column++) result[column * rows + row] = data[base + column] as number;
  }
  return result;
}

/** T5LayerNorm: `weight * x / sqrt(mean(x^2) + eps)` over the last axis, no mean subtraction, fp32 (onnxruntime's fused kernel). */
export function rmsNorm(context: T5GraphContext, x: string, weightName: string): string {
  const { graph } = context;
  const weight = graph.floats(weightName, [context.config.dModel], context.weights.read(weightName));
  return graph.op('SimplifiedLayerNormalization', [x, weight], {
    attributes: { axis: { int: -1 }, epsilon: { float: context.config.layerNormEpsilon } },
  });
}

/** RMS norm of `residual + delta`; returns `[normed, sum]` (onnxruntime's SkipSimplifiedLayerNormalization, one kernel). */
export function addRmsNorm(context: T5GraphContext, residual: string, delta: string, weightName: string): [string, string] {
  const { graph } = context;
  const weight = graph.floats(weightName, [context.config.dModel], context.weights.read(weightName));
  const normed = `${weightName}.normed`;
  const sum = `${weightName}.sum`;
  graph.node('SkipSimplifiedLayerNormalization', [residual, delta, weight], {
    domain: 'com.microsoft',
    outputs: [normed, '', '', sum],
    attributes: { epsilon: { float: context.config.layerNormEpsilon } },
  });
  return [normed, sum];
}

/** `x @ W^T` for the HF weight(s) `names` (`[out, in]` each; several are concatenated along `out`). */
export function linear(context: T5GraphContext, x: string, names: readonly string[], output?: string): string {
  const { graph, weights } = context;
  const shapes = names.map((name) => weights.shape(name));
  const inFeatures = shapes[0]?.[1] ?? 0;
  const outFeatures = shapes.reduce((total, shape) => total + (shape[0] ?? 0), 0);
  const rowMajor = concatRows(names.map((name) => weights.read(name)));
  const label = names.length === 1 ? (names[0] as string) : `${names[0] as string}+fused`;
  if (context.quantize === 'int8' && context.int8Operator !== 'MatMulNBits') {
    const quantized = quantizeColumns8(rowMajor, outFeatures, inFeatures);
    const weight = graph.initializer(`${label}.q8`, 'int8', [inFeatures, outFeatures], new Uint8Array(quantized.weights.buffer));
    const scale = graph.floats(`${label}.scale`, [outFeatures], quantized.scales);
    const zero = graph.initializer(`${label}.zero`, 'int8', [outFeatures], new Uint8Array(outFeatures));
    return graph.op('DynamicQuantizeMatMul', [x, weight, scale, zero], {
      domain: 'com.microsoft',
      ...(output === undefined ? {} : { output }),
    });
  }
  if (context.quantize === 'int8') {
    const { blocks, scales, blocksPerRow, blockBytes } = quantizeBlocks8(rowMajor, outFeatures, inFeatures, INT8_BLOCK_SIZE);
    const packed = graph.initializer(`${label}.q8`, 'uint8', [outFeatures, blocksPerRow, blockBytes], blocks);
    const scale = graph.floats(`${label}.scale`, [outFeatures * blocksPerRow], scales);
    return graph.op('MatMulNBits', [x, packed, scale], {
      domain: 'com.microsoft',
      attributes: {
        K: { int: inFeatures },
        N: { int: outFeatures },
        bits: { int: 8 },
        block_size: { int: INT8_BLOCK_SIZE },
        accuracy_level: { int: 4 },
      },
      ...(output === undefined ? {} : { output }),
    });
  }
  const weight = graph.floats(`${label}.t`, [inFeatures, outFeatures], transpose2d(rowMajor, outFeatures, inFeatures));
  return graph.op('MatMul', [x, weight], output === undefined ? {} : { output });
}

/** Splits the last axis of `x` into `sizes` parts (named `outputs` when given). */
export function splitLast(context: T5GraphContext, x: string, sizes: readonly number[], outputs?: readonly string[]): string[] {
  const { graph } = context;
  const split = graph.int64s(`split_${sizes.join('_')}_${x}`, sizes);
  const attributes = { axis: { int: -1 } };
  return graph.node('Split', [x, split], outputs === undefined ? { outputCount: sizes.length, attributes } : { outputs, attributes });
}

// Encoder buckets are `[seq, seq]` (gathered `[seq, seq, heads]` -> `[1, heads, seq, seq]`); decoder step buckets
// `[batch, slots]` (gathered `[batch, slots, heads]` -> `[batch, heads, 1, slots]`).
const BIAS_LAYOUT = { encoder: { perm: [2, 0, 1], axis: 0 }, decoder: { perm: [0, 2, 1], axis: 2 } } as const;

/**
 * A factory of the attention bias of self-attention layer `layer` of `stack`: position bias + `maskRows` (padding, `[batch, keys]`). T5 and mT5 use
 * block 0's table in every layer (HF computes it in block 0 only); umT5 gives each layer its own table.
 */
export function relativeBiasOfLayer(
  context: T5GraphContext,
  stack: 'encoder' | 'decoder',
  bucket: string,
  maskRows: string,
): (layer: number) => string {
  const { graph, config } = context;
  const { perm, axis } = BIAS_LAYOUT[stack];
  // `[batch, keys]` -> `[batch, 1, 1, keys]`, broadcast over heads and queries.
  const mask = graph.op('Unsqueeze', [maskRows, shapeConstant(context, [1, 2])]);
  const byTable = new Map<number, string>();
  return (layer) => {
    const table = config.relativeBiasPerLayer ? layer : 0;
    const existing = byTable.get(table);
    if (existing !== undefined) return existing;
    const name = `${stack}.block.${table}.layer.0.SelfAttention.relative_attention_bias.weight`;
    const relative = graph.floats(name, [config.relativeAttentionNumBuckets, config.numHeads], context.weights.read(name));
    const positionBias = graph.op('Unsqueeze', [
      graph.op('Transpose', [graph.op('Gather', [relative, bucket])], { attributes: { perm: { ints: perm } } }),
      shapeConstant(context, [axis]),
    ]);
    const bias = graph.op('Add', [positionBias, mask]);
    byTable.set(table, bias);
    return bias;
  };
}

/** The `shared.weight` rows of `ids` (both stacks embed with it). */
export function embed(context: T5GraphContext, ids: string): string {
  const { graph, config } = context;
  const shared = graph.floats('shared.weight', [config.vocabSize, config.dModel], context.weights.read('shared.weight'));
  return graph.op('Gather', [shared, ids]);
}

/** T5LayerFF body (without the residual): `wo(act(wi x))`, or gated `wo(act(wi_0 x) * wi_1 x)`. */
export function feedForward(context: T5GraphContext, x: string, prefix: string): string {
  const { graph, config } = context;
  let hidden: string;
  if (config.isGatedAct) {
    const gate = activation(context, linear(context, x, [`${prefix}.wi_0.weight`]), config.denseActFn);
    hidden = graph.op('Mul', [gate, linear(context, x, [`${prefix}.wi_1.weight`])]);
  } else {
    hidden = activation(context, linear(context, x, [`${prefix}.wi.weight`]), config.denseActFn);
  }
  return linear(context, hidden, [`${prefix}.wo.weight`]);
}

function concatRows(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0] as Float32Array;
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
