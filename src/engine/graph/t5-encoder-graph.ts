/**
 * The T5 encoder graph. Besides `last_hidden_state` it outputs every decoder layer's
 * cross-attention keys and values, so decoding never projects the encoder output again.
 *
 * Inputs: `input_ids` `[batch, seq]` int64; `attention_bias` `[batch, seq]` float32 (0 for real
 * tokens, a large negative number for padding); `position_bucket` `[seq, seq]` int64 (HF's
 * bidirectional relative-position buckets, key minus query). Outputs: `last_hidden_state`
 * `[batch, seq, dModel]`, `cross_key_<i>` `[batch, heads, dKv, seq]` (transposed for MatMul) and
 * `cross_value_<i>` `[batch, heads, seq, dKv]` float32.
 */
import { GraphBuilder, type ExternalDataWriter } from './proto.js';
import { shapeConstant } from './graph-constants.js';
import { embed, feedForward, linear, relativeBiasOfLayer, rmsNorm, splitLast } from './t5-layers.js';
import type { T5GraphContext } from './t5-layers.js';
import type { T5GraphOptionsResolved } from './t5-graph-options.js';

/** Builds the encoder graph (weights read from `context.weights`). */
export function buildEncoderGraph(
  base: Omit<T5GraphContext, 'graph'>,
  options: T5GraphOptionsResolved,
  externalData?: ExternalDataWriter,
): GraphBuilder {
  const graph = new GraphBuilder('t5_encoder', externalData);
  const context: T5GraphContext = { ...base, graph };
  const { config } = context;
  const ids = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const maskBias = graph.input('attention_bias', 'float32', ['batch', 'seq']);
  const bucket = graph.input('position_bucket', 'int64', ['seq', 'seq']);
  let hidden = embed(context, ids);
  // [seq, seq, heads] -> [1, heads, seq, seq], plus the padding bias [batch, 1, 1, seq].
  const biasOf = relativeBiasOfLayer(context, 'encoder', bucket, maskBias);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `encoder.block.${layer}.layer`;
    const normed = rmsNorm(context, hidden, `${prefix}.0.layer_norm.weight`);
    hidden = graph.op('Add', [
      hidden,
      selfAttention(context, normed, biasOf(layer), {
        prefix: `${prefix}.0.SelfAttention`,
        fuseQkv: options.fuseQkv,
      }),
    ]);
    const ffInput = rmsNorm(context, hidden, `${prefix}.1.layer_norm.weight`);
    hidden = graph.op('Add', [hidden, feedForward(context, ffInput, `${prefix}.1.DenseReluDense`)]);
  }
  const output = rmsNorm(context, hidden, 'encoder.final_layer_norm.weight');
  graph.op('Identity', [output], { output: 'last_hidden_state' });
  graph.output('last_hidden_state', 'float32', ['batch', 'seq', config.dModel]);
  for (let layer = 0; layer < config.numDecoderLayers; layer++) crossKeyValue(context, output, layer);
  return graph;
}

/** `[batch, seq, inner]` -> `[batch, heads, seq, dKv]`, or `[batch, heads, dKv, seq]` when `keyLayout`. */
function toHeads(context: T5GraphContext, x: string, keyLayout: boolean, output?: string): string {
  const { graph, config } = context;
  const split = graph.op('Reshape', [x, shapeConstant(context, [0, 0, config.numHeads, config.dKv])]);
  const perm = keyLayout ? [0, 2, 3, 1] : [0, 2, 1, 3];
  return graph.op(
    'Transpose',
    [split],
    output === undefined ? { attributes: { perm: { ints: perm } } } : { attributes: { perm: { ints: perm } }, output },
  );
}

function selfAttention(
  context: T5GraphContext,
  x: string,
  bias: string,
  layer: { readonly prefix: string; readonly fuseQkv: boolean },
): string {
  const { graph, config } = context;
  const { prefix, fuseQkv } = layer;
  const inner = config.numHeads * config.dKv;
  const names = ['q', 'k', 'v'].map((part) => `${prefix}.${part}.weight`);
  const [q, k, v] = fuseQkv
    ? splitLast(context, linear(context, x, names), [inner, inner, inner])
    : names.map((name) => linear(context, x, [name]));
  // T5 does not scale the scores by 1/sqrt(dKv).
  const scores = graph.op('Add', [graph.op('MatMul', [toHeads(context, q as string, false), toHeads(context, k as string, true)]), bias]);
  const probabilities = graph.op('Softmax', [scores], { attributes: { axis: { int: -1 } } });
  const context4d = graph.op('MatMul', [probabilities, toHeads(context, v as string, false)]);
  const merged = graph.op('Reshape', [
    graph.op('Transpose', [context4d], { attributes: { perm: { ints: [0, 2, 1, 3] } } }),
    shapeConstant(context, [0, 0, inner]),
  ]);
  return linear(context, merged, [`${prefix}.o.weight`]);
}

function crossKeyValue(context: T5GraphContext, encoderOutput: string, layer: number): void {
  const { graph, config } = context;
  const prefix = `decoder.block.${layer}.layer.1.EncDecAttention`;
  toHeads(context, linear(context, encoderOutput, [`${prefix}.k.weight`]), true, `cross_key_${layer}`);
  toHeads(context, linear(context, encoderOutput, [`${prefix}.v.weight`]), false, `cross_value_${layer}`);
  graph.output(`cross_key_${layer}`, 'float32', ['batch', config.numHeads, config.dKv, 'seq']);
  graph.output(`cross_value_${layer}`, 'float32', ['batch', config.numHeads, 'seq', config.dKv]);
}
