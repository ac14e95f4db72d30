/**
 * Building blocks of the decoder-only graphs (Llama/Mistral, transformers v4.36 eager): RMSNorm in
 * float32, projections with optional bias, rotate_half RoPE on the leading `rotaryDim` dims of each
 * head, and the SwiGLU MLP `down(silu(gate(x)) * up(x))`.
 */
import type { CausalConfig } from '../../model/index.js';
import { constant, linear, shapeConstant, type GraphContext } from './t5-layers.js';

/** A graph context with the decoder-only config. */
export interface CausalGraphContext extends GraphContext {
  readonly config: CausalConfig;
}

/** LlamaRMSNorm: `w * x * rsqrt(mean(x^2) + eps)` over the last axis, float32. */
export function rmsNorm(context: CausalGraphContext, x: string, weightName: string): string {
  const { graph, config } = context;
  const weight = graph.floats(weightName, [config.hiddenSize], context.weights.read(weightName));
  return graph.op('SimplifiedLayerNormalization', [x, weight], {
    attributes: { axis: { int: -1 }, epsilon: { float: config.normEpsilon } },
  });
}

/** `x @ W^T (+ b)` for HF weight `<prefix>.weight` and, when the checkpoint has it, `<prefix>.bias`. */
export function projection(context: CausalGraphContext, x: string, prefix: string, output?: string): string {
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

/** LlamaMLP: `down_proj(silu(gate_proj(x)) * up_proj(x))`. */
export function swiGlu(context: CausalGraphContext, x: string, prefix: string): string {
  const { graph } = context;
  const gate = projection(context, x, `${prefix}.gate_proj`);
  const silu = graph.op('Mul', [gate, graph.op('Sigmoid', [gate])]);
  return projection(context, graph.op('Mul', [silu, projection(context, x, `${prefix}.up_proj`)]), `${prefix}.down_proj`);
}

/** Attention scores scaled as transformers does it: `(q @ k^T) / sqrt(head_dim)`. */
export function scaled(context: CausalGraphContext, scores: string): string {
  return context.graph.op('Div', [scores, constant(context, 'attention_scale', Math.sqrt(context.config.headDim))]);
}

/** The output projection: the tied embedding (Gemm transB, fp32, no second copy) or `lm_head`. */
export function lmHead(context: CausalGraphContext, x: string, embedding: string): void {
  const { graph, config } = context;
  if (config.tieWordEmbeddings && context.quantize === 'none') {
    graph.op('Gemm', [x, embedding], { attributes: { transB: { int: 1 } }, output: 'logits' });
    return;
  }
  const head = linear(context, x, [config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight']);
  graph.op('Identity', [head], { output: 'logits' });
}
