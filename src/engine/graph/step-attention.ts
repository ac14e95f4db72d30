/**
 * The attention of one new token over a row's cache plus itself, as every step graph (T5, BART,
 * decoder-only) computes it: the cache is only read, the new key/value are scored separately (no cache copy per step).
 * Every node here runs once per layer and step, so the subgraph is kept to nine nodes (ten with a
 * score scale): at batch 1 a small node's executor cost is of the order of its kernel's (README,
 * "Performance and the benchmark").
 */
import { onceInGraph, shapeConstant, type GraphContext } from './graph-constants.js';

/**
 * The tensors of one step attention, and an additive bias broadcast to `[batch, heads, 1, cache + 1]`. With grouped-query
 * attention `heads` are the kv heads and the query's `1` is the group of query heads sharing one kv head.
 */
export interface StepAttentionInputs {
  /** `[batch, heads, 1, d]` (`[batch, kvHeads, groups, d]` when grouped). */
  readonly query: string;
  /** `[batch, heads, d, 1]`: the new token's key, laid out as the cache's keys. */
  readonly ownKey: string;
  /** `[batch, heads, 1, d]`. */
  readonly ownValue: string;
  /** `[batch, heads, d, cache]`. */
  readonly pastKey: string;
  /** `[batch, heads, cache, d]`. */
  readonly pastValue: string;
  readonly bias: string;
  /** Applied to the raw scores before the bias (decoder-only families divide by sqrt(headDim) there, as HF does). */
  readonly scaleScores?: (scores: string) => string;
}

/** `[cache, 1]`: the split of a `[.., cache + 1]` score row into cache slots and the own slot, computed once per graph. */
function cacheAndOwnSplit(context: GraphContext, pastKey: string): string {
  return onceInGraph(context, 'cache_and_own_split', (graph) =>
    graph.op('Concat', [graph.op('Shape', [pastKey], { attributes: { start: { int: 3 } } }), shapeConstant(context, [1])], {
      attributes: { axis: { int: 0 } },
    }),
  );
}

/** softmax([q.K_past, q.k_own] + bias) applied to [V_past; v_own]: `[batch, heads, 1, d]`. */
export function stepAttention(context: GraphContext, inputs: StepAttentionInputs): string {
  const { graph } = context;
  const pastScores = graph.op('MatMul', [inputs.query, inputs.pastKey]);
  const ownScore = graph.op('MatMul', [inputs.query, inputs.ownKey]);
  const joined = graph.op('Concat', [pastScores, ownScore], { attributes: { axis: { int: 3 } } });
  const scores = graph.op('Add', [inputs.scaleScores === undefined ? joined : inputs.scaleScores(joined), inputs.bias]);
  const probabilities = graph.op('Softmax', [scores], { attributes: { axis: { int: -1 } } });
  const [pastProbabilities, ownProbability] = graph.node('Split', [probabilities, cacheAndOwnSplit(context, inputs.pastKey)], {
    outputCount: 2,
    attributes: { axis: { int: 3 } },
  }) as [string, string];
  return graph.op('Add', [graph.op('MatMul', [pastProbabilities, inputs.pastValue]), graph.op('Mul', [ownProbability, inputs.ownValue])]);
}
