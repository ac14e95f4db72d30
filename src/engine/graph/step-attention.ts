/**
 * The attention of one new token over a row's cache plus itself, as the encoder-decoder step graphs
 * compute it: the cache is only read, the new key/value are scored separately (no cache copy per step).
 */
import { shapeConstant, type GraphContext } from './graph-constants.js';

/** The tensors of one step attention: `[batch, heads, 1, d]` query/own key/value, the caches, and an additive bias broadcast to `[batch, heads, 1, cache + 1]`. */
export interface StepAttentionInputs {
  readonly query: string;
  readonly ownKey: string;
  readonly ownValue: string;
  /** `[batch, heads, d, cache]`. */
  readonly pastKey: string;
  /** `[batch, heads, cache, d]`. */
  readonly pastValue: string;
  readonly bias: string;
}

/** softmax([q.K_past, q.k_own] + bias) applied to [V_past; v_own]: `[batch, heads, 1, d]`. */
export function stepAttention(context: GraphContext, inputs: StepAttentionInputs): string {
  const { graph } = context;
  const pastScores = graph.op('MatMul', [inputs.query, inputs.pastKey]);
  const ownScore = graph.op('ReduceSum', [graph.op('Mul', [inputs.query, inputs.ownKey]), shapeConstant(context, [-1])], {
    attributes: { keepdims: { int: 1 } },
  });
  const scores = graph.op('Add', [graph.op('Concat', [pastScores, ownScore], { attributes: { axis: { int: 3 } } }), inputs.bias]);
  const probabilities = graph.op('Softmax', [scores], { attributes: { axis: { int: -1 } } });
  const slice = (start: number, end: number): string =>
    graph.op('Slice', [probabilities, shapeConstant(context, [start]), shapeConstant(context, [end]), shapeConstant(context, [3])]);
  const pastProbabilities = slice(0, -1);
  const ownProbability = slice(-1, 2 ** 31 - 1);
  return graph.op('Add', [graph.op('MatMul', [pastProbabilities, inputs.pastValue]), graph.op('Mul', [ownProbability, inputs.ownValue])]);
}
