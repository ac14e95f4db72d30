// The "bare chain": the decoder step's MatMuls over the same weights with nothing else (no norms,
// no attention), the yardstick for the runtime's per-step overhead.
import type { CausalConfig, T5Config, WeightStore } from '../src/model/index.js';
import { projection } from '../src/engine/graph/causal-layers.js';
import type { CausalGraphContext } from '../src/engine/graph/causal-layers.js';
import { GraphBuilder } from '../src/engine/graph/proto.js';
import { linear } from '../src/engine/graph/t5-layers.js';
import type { GraphContext, Int8Operator, T5GraphContext } from '../src/engine/graph/t5-layers.js';
import type { Quantize } from '../src/engine/settings.js';

/** Weight precision of a chain, as the runtime's graphs use it. */
export interface ChainPrecision {
  readonly quantize: Quantize;
  readonly int8Operator: Int8Operator;
}

interface Chain {
  readonly model: Uint8Array;
  readonly weightBytes: number;
}

// The head MatMul, the output `y`, and the serialised graph with its weight bytes.
function finishChain(context: GraphContext, x: string, head: string, vocabSize: number): Chain {
  const { graph } = context;
  graph.op('Identity', [linear(context, x, [head])], { output: 'y' });
  graph.output('y', 'float32', ['batch', vocabSize]);
  const weightBytes = graph.initializerBytes();
  return { model: graph.serialize({ externalDataFile: 'chain.data', thresholdBytes: Infinity }).model, weightBytes };
}

/** Serialised chain graph (input `x` `[batch, dModel]` float32, output `y`) and its weight bytes read per run. */
export function buildMatMulChain(config: T5Config, weights: WeightStore, precision: ChainPrecision): Chain {
  const graph = new GraphBuilder('matmul_chain');
  const context: T5GraphContext = { graph, config, weights, ...precision };
  let x = graph.input('x', 'float32', ['batch', config.dModel]);
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    const self = `decoder.block.${layer}.layer.0.SelfAttention`;
    const cross = `decoder.block.${layer}.layer.1.EncDecAttention`;
    const ff = `decoder.block.${layer}.layer.2.DenseReluDense`;
    const qkv = ['q', 'k', 'v'].map((part) => linear(context, x, [`${self}.${part}.weight`]));
    x = linear(context, graph.op('Add', [graph.op('Add', [qkv[0] as string, qkv[1] as string]), qkv[2] as string]), [`${self}.o.weight`]);
    x = linear(context, linear(context, x, [`${cross}.q.weight`]), [`${cross}.o.weight`]);
    const hidden = config.isGatedAct
      ? graph.op('Mul', [linear(context, x, [`${ff}.wi_0.weight`]), linear(context, x, [`${ff}.wi_1.weight`])])
      : linear(context, x, [`${ff}.wi.weight`]);
    x = linear(context, hidden, [`${ff}.wo.weight`]);
  }
  return finishChain(context, x, config.tieWordEmbeddings ? 'shared.weight' : 'lm_head.weight', config.vocabSize);
}

/** The decoder-only step's chain: q/k/v/o, gate/up/down per layer, then the head (k and v enter through a ReduceSum so they are kept). */
export function buildCausalMatMulChain(config: CausalConfig, weights: WeightStore, precision: ChainPrecision): Chain {
  const context: CausalGraphContext = { graph: new GraphBuilder('matmul_chain'), config, weights, ...precision };
  const { graph } = context;
  let x = graph.input('x', 'float32', ['batch', config.hiddenSize]);
  const sum = (value: string): string => graph.op('ReduceSum', [value], { attributes: { keepdims: { int: 1 } } });
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const [q, k, v] = ['q', 'k', 'v'].map((part) => projection(context, x, `${prefix}.self_attn.${part}_proj`)) as [string, string, string];
    x = projection(context, graph.op('Add', [graph.op('Add', [q, sum(k)]), sum(v)]), `${prefix}.self_attn.o_proj`);
    const gated = graph.op('Mul', [projection(context, x, `${prefix}.mlp.gate_proj`), projection(context, x, `${prefix}.mlp.up_proj`)]);
    x = projection(context, gated, `${prefix}.mlp.down_proj`);
  }
  return finishChain(context, x, config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', config.vocabSize);
}
