/**
 * Building blocks of the decoder-only graphs (transformers v4.36 eager): RMSNorm or LayerNorm in
 * float32, projections with optional bias, rotate_half RoPE on the leading `rotaryDim` dims of each
 * head, the SwiGLU MLP `down(silu(gate(x)) * up(x))` or `fc2(gelu_new(fc1(x)))`. Weights are read under
 * the canonical names of the model module's decoder-only weight store.
 */
import type { CausalConfig } from '../../model/index.js';
import { activation } from './activations.js';
import { constant, shapeConstant } from './graph-constants.js';
import { linear, type GraphContext } from './t5-layers.js';

/** A graph context with the decoder-only config. */
export interface CausalGraphContext extends GraphContext {
  readonly config: CausalConfig;
}

/** The norm `<prefix>.weight` (+ `.bias`): LlamaRMSNorm `w * x * rsqrt(mean(x^2) + eps)`, or LayerNorm; float32, last axis. */
export function norm(context: CausalGraphContext, x: string, prefix: string): string {
  const { graph, config } = context;
  const read = (name: string): string => graph.floats(name, [config.hiddenSize], context.weights.read(name));
  const attributes = { axis: { int: -1 }, epsilon: { float: config.normEpsilon } };
  if (config.style.norm === 'layer')
    return graph.op('LayerNormalization', [x, read(`${prefix}.weight`), read(`${prefix}.bias`)], { attributes });
  return graph.op('SimplifiedLayerNormalization', [x, read(`${prefix}.weight`)], { attributes });
}

/** `x @ W^T (+ b)` for HF weight `<prefix>.weight` and, when the checkpoint has it, `<prefix>.bias`. */
export function projection(context: GraphContext, x: string, prefix: string, output?: string): string {
  const { graph, weights } = context;
  const biasName = `${prefix}.bias`;
  if (!weights.has(biasName)) return linear(context, x, [`${prefix}.weight`], output);
  const bias = graph.floats(biasName, [...weights.shape(biasName)], weights.read(biasName));
  return graph.op('Add', [linear(context, x, [`${prefix}.weight`]), bias], output === undefined ? {} : { output });
}

/**
 * rotate_half RoPE: `x * cos + rotate_half(x) * sin` on the first `rotaryDim` dims of the last axis
 * (which is `headDim` long); `cos`/`sin` hold `rotaryDim` values and broadcast against `x`.
 */
export function rotary(context: CausalGraphContext, x: string, tables: { readonly cos: string; readonly sin: string }): string {
  const { graph, config } = context;
  const { headDim, rotaryDim } = config;
  const half = rotaryDim / 2;
  const [rotated, passed] =
    rotaryDim === headDim
      ? [x, undefined]
      : graph.node('Split', [x, shapeConstant(context, [rotaryDim, headDim - rotaryDim])], {
          outputCount: 2,
          attributes: { axis: { int: -1 } },
        });
  const [first, second] = graph.node('Split', [rotated as string, shapeConstant(context, [half, half])], {
    outputCount: 2,
    attributes: { axis: { int: -1 } },
  });
  const turned = graph.op('Concat', [graph.op('Neg', [second as string]), first as string], { attributes: { axis: { int: -1 } } });
  const embedded = graph.op('Add', [graph.op('Mul', [rotated as string, tables.cos]), graph.op('Mul', [turned, tables.sin])]);
  return passed === undefined ? embedded : graph.op('Concat', [embedded, passed], { attributes: { axis: { int: -1 } } });
}

/** LlamaMLP `down_proj(silu(gate_proj(x)) * up_proj(x))`, or Phi/GPT-2's `fc2(gelu_new(fc1(x)))`. */
export function mlp(context: CausalGraphContext, x: string, prefix: string): string {
  const { graph } = context;
  if (context.config.style.mlp === 'gelu_new')
    return projection(context, activation(context, projection(context, x, `${prefix}.fc1`), 'gelu_new'), `${prefix}.fc2`);
  const gate = projection(context, x, `${prefix}.gate_proj`);
  const silu = graph.op('Mul', [gate, graph.op('Sigmoid', [gate])]);
  return projection(context, graph.op('Mul', [silu, projection(context, x, `${prefix}.up_proj`)]), `${prefix}.down_proj`);
}

/** Attention scores scaled as transformers does it: `(q @ k^T) / sqrt(head_dim)`. */
export function scaled(context: CausalGraphContext, scores: string): string {
  return context.graph.op('Div', [scores, constant(context, 'attention_scale', Math.sqrt(context.config.headDim))]);
}

/** The output projection: the tied embedding (Gemm transB, fp32, no second copy) or `lm_head` (with Phi's bias). */
export function lmHead(context: CausalGraphContext, x: string, embedding: string): void {
  const { graph, config } = context;
  if (config.tieWordEmbeddings && context.quantize === 'none') {
    graph.op('Gemm', [x, embedding], { attributes: { transB: { int: 1 } }, output: 'logits' });
    return;
  }
  const head = config.tieWordEmbeddings ? linear(context, x, ['model.embed_tokens.weight']) : projection(context, x, 'lm_head');
  graph.op('Identity', [head], { output: 'logits' });
}

/** The block after attention: `h + attn + mlp(ln(h + attn))`, or Phi's parallel `(attn + mlp(ln(h))) + h`. */
export function blockOutput(
  context: CausalGraphContext,
  step: { hidden: string; normed: string; attended: string; layer: number },
): string {
  const { graph, config } = context;
  const prefix = `model.layers.${step.layer}`;
  if (config.style.parallel)
    return graph.op('Add', [graph.op('Add', [step.attended, mlp(context, step.normed, `${prefix}.mlp`)]), step.hidden]);
  const hidden = graph.op('Add', [step.hidden, step.attended]);
  return graph.op('Add', [hidden, mlp(context, norm(context, hidden, `${prefix}.post_attention_layernorm`), `${prefix}.mlp`)]);
}

/** Token embeddings, plus GPT-2's learned position embeddings of `positions`. */
export function embed(context: CausalGraphContext, embedding: string, ids: string, positions: string | undefined): string {
  const { graph, config, weights } = context;
  const tokens = graph.op('Gather', [embedding, ids]);
  if (positions === undefined) return tokens;
  const name = 'model.embed_positions.weight';
  const table = graph.floats(name, [config.maxPositionEmbeddings, config.hiddenSize], weights.read(name));
  return graph.op('Add', [tokens, graph.op('Gather', [table, positions])]);
}
