/**
 * The T5 decoder step graph: one new token per row, rows at independent positions.
 *
 * The self-attention cache is an input that the graph only reads: the new token's key and value
 * are scored separately and returned as `new_key_<i>` / `new_value_<i>` `[batch, heads * dKv]`, and
 * the runtime writes them into its cache. So no step copies the whole cache.
 *
 * Inputs: `input_ids` `[batch]` int64; `self_bucket` `[batch, cache + 1]` int64 (causal relative
 * position buckets of each cache slot, then of the new token itself); `self_bias` `[batch, cache + 1]`
 * float32 (0 for valid slots, a large negative number for empty ones); `cross_bias` `[batch, enc]`
 * float32; per layer `past_key_<i>` `[batch, heads, dKv, cache]`, `past_value_<i>` `[batch, heads,
 * cache, dKv]`, `cross_key_<i>` `[batch, heads, dKv, enc]`, `cross_value_<i>` `[batch, heads, enc, dKv]`.
 * Output `logits` `[batch, vocab]` float32.
 */
import { GraphBuilder, type ExternalDataWriter } from './proto.js';
import { constant, shapeConstant } from './graph-constants.js';
import { addRmsNorm, embed, feedForward, linear, relativeBiasOfLayer, rmsNorm, splitLast } from './t5-layers.js';
import type { T5GraphContext } from './t5-layers.js';
import type { T5GraphOptionsResolved } from './t5-graph-options.js';
import { stepAttention } from './step-attention.js';

/** Builds the decoder step graph. */
export function buildDecoderGraph(
  base: Omit<T5GraphContext, 'graph'>,
  options: T5GraphOptionsResolved,
  externalData?: ExternalDataWriter,
): GraphBuilder {
  const graph = new GraphBuilder('t5_decoder_step', externalData);
  const context: T5GraphContext = { ...base, graph };
  const { config } = context;
  const ids = graph.input('input_ids', 'int64', ['batch']);
  const bucket = graph.input('self_bucket', 'int64', ['batch', 'slots']);
  const selfMask = graph.input('self_bias', 'float32', ['batch', 'slots']);
  const crossMask = graph.input('cross_bias', 'float32', ['batch', 'enc']);
  let hidden = embed(context, ids);
  // [batch, slots, heads] -> [batch, heads, 1, slots], plus the empty-slot bias.
  const biasOf = relativeBiasOfLayer(context, 'decoder', bucket, selfMask);
  const crossBias = graph.op('Unsqueeze', [crossMask, shapeConstant(context, [1, 2])]);
  // Each residual add is fused into the next RMS norm (one kernel returns both the sum and its norm).
  let normed = rmsNorm(context, hidden, 'decoder.block.0.layer.0.layer_norm.weight');
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    const prefix = `decoder.block.${layer}.layer`;
    const attended = selfAttentionStep(context, {
      x: normed,
      bias: biasOf(layer),
      layer,
      fuseQkv: options.fuseQkv,
    });
    [normed, hidden] = addRmsNorm(context, hidden, attended, `${prefix}.1.layer_norm.weight`);
    [normed, hidden] = addRmsNorm(context, hidden, crossAttentionStep(context, normed, crossBias, layer), `${prefix}.2.layer_norm.weight`);
    const next =
      layer + 1 < config.numDecoderLayers ? `decoder.block.${layer + 1}.layer.0.layer_norm.weight` : 'decoder.final_layer_norm.weight';
    [normed, hidden] = addRmsNorm(context, hidden, feedForward(context, normed, `${prefix}.2.DenseReluDense`), next);
  }
  let output = normed;
  if (config.tieWordEmbeddings) output = graph.op('Mul', [output, constant(context, 'tied_rescale', config.dModel ** -0.5)]);
  linearHead(context, output);
  graph.output('logits', 'float32', ['batch', config.vocabSize]);
  return graph;
}

// Tied models project with the embedding as stored (Gemm transB: no transposed copy). The head gets an
// initializer of its own: onnxruntime prepacks it and then releases it, while the Gather's copy stays
// mapped from the external data file, resident only for the rows that tokens touch.
function linearHead(context: T5GraphContext, x: string): void {
  const { graph, config } = context;
  if (config.tieWordEmbeddings && context.quantize === 'none') {
    const head = graph.floats('lm_head.tied', [config.vocabSize, config.dModel], context.weights.read('shared.weight'));
    graph.op('Gemm', [x, head], { attributes: { transB: { int: 1 } }, output: 'logits' });
    return;
  }
  const head = linear(context, x, [config.tieWordEmbeddings ? 'shared.weight' : 'lm_head.weight']);
  graph.op('Identity', [head], { output: 'logits' });
}

interface SelfAttentionStep {
  readonly x: string;
  readonly bias: string;
  readonly layer: number;
  readonly fuseQkv: boolean;
}

/** `[batch, inner]` -> `[batch, heads, 1, dKv]`. */
function rowHeads(context: T5GraphContext, x: string): string {
  return context.graph.op('Reshape', [x, shapeConstant(context, [0, context.config.numHeads, 1, context.config.dKv])]);
}

/** `[batch, inner]` -> `[batch, heads, dKv, 1]`: a key laid out as the cache's keys (same bytes as {@link rowHeads}). */
function keyColumns(context: T5GraphContext, x: string): string {
  return context.graph.op('Reshape', [x, shapeConstant(context, [0, context.config.numHeads, context.config.dKv, 1])]);
}

function selfAttentionStep(context: T5GraphContext, step: SelfAttentionStep): string {
  const { graph, config } = context;
  const { numHeads, dKv } = config;
  const inner = numHeads * dKv;
  const prefix = `decoder.block.${step.layer}.layer.0.SelfAttention`;
  const names = ['q', 'k', 'v'].map((part) => `${prefix}.${part}.weight`);
  // The new key/value leave the graph as `[batch, inner]` = `[batch, heads, dKv]` in memory, with no reshape node.
  const outputs = [`new_key_${step.layer}`, `new_value_${step.layer}`];
  const [q, k, v] = step.fuseQkv
    ? splitLast(context, linear(context, step.x, names), [inner, inner, inner], [graph.fresh('q'), ...outputs])
    : [
        linear(context, step.x, [names[0] as string]),
        linear(context, step.x, [names[1] as string], outputs[0]),
        linear(context, step.x, [names[2] as string], outputs[1]),
      ];
  graph.output(`new_key_${step.layer}`, 'float32', ['batch', inner]);
  graph.output(`new_value_${step.layer}`, 'float32', ['batch', inner]);
  const pastKey = graph.input(`past_key_${step.layer}`, 'float32', ['batch', numHeads, dKv, 'cache']);
  const pastValue = graph.input(`past_value_${step.layer}`, 'float32', ['batch', numHeads, 'cache', dKv]);
  const attended = stepAttention(context, {
    query: rowHeads(context, q as string),
    ownKey: keyColumns(context, k as string),
    ownValue: rowHeads(context, v as string),
    pastKey,
    pastValue,
    bias: step.bias,
  });
  const merged = graph.op('Reshape', [attended, shapeConstant(context, [0, inner])]);
  return linear(context, merged, [`${prefix}.o.weight`]);
}

function crossAttentionStep(context: T5GraphContext, x: string, bias: string, layer: number): string {
  const { graph, config } = context;
  const { numHeads, dKv } = config;
  const prefix = `decoder.block.${layer}.layer.1.EncDecAttention`;
  const crossKey = graph.input(`cross_key_${layer}`, 'float32', ['batch', numHeads, dKv, 'enc']);
  const crossValue = graph.input(`cross_value_${layer}`, 'float32', ['batch', numHeads, 'enc', dKv]);
  const query = rowHeads(context, linear(context, x, [`${prefix}.q.weight`]));
  const scores = graph.op('Add', [graph.op('MatMul', [query, crossKey]), bias]);
  const probabilities = graph.op('Softmax', [scores], { attributes: { axis: { int: -1 } } });
  const attended = graph.op('Reshape', [graph.op('MatMul', [probabilities, crossValue]), shapeConstant(context, [0, numHeads * dKv])]);
  return linear(context, attended, [`${prefix}.o.weight`]);
}
