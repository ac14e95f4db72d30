// The "bare chain": the decoder step's MatMuls over the same weights with nothing else (no norms,
// no attention), the yardstick for the runtime's per-step overhead.
import type { T5Config, WeightStore } from '../src/model/index.js';
import { GraphBuilder } from '../src/engine/graph/proto.js';
import { linear } from '../src/engine/graph/t5-layers.js';
import type { Int8Operator, T5GraphContext } from '../src/engine/graph/t5-layers.js';
import type { Quantize } from '../src/engine/settings.js';

/** Serialised chain graph (input `x` `[batch, dModel]` float32, output `y`) and its weight bytes read per run. */
export function buildMatMulChain(
  config: T5Config,
  weights: WeightStore,
  precision: { readonly quantize: Quantize; readonly int8Operator: Int8Operator },
): { readonly model: Uint8Array; readonly weightBytes: number } {
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
  const y = linear(context, x, [config.tieWordEmbeddings ? 'shared.weight' : 'lm_head.weight']);
  graph.op('Identity', [y], { output: 'y' });
  graph.output('y', 'float32', ['batch', config.vocabSize]);
  const weightBytes = graph.initializerBytes();
  return { model: graph.serialize({ externalDataFile: 'chain.data', thresholdBytes: Infinity }).model, weightBytes };
}
