/**
 * The decoder-only graphs: a prompt prefill that returns every layer's keys/values, and a one-token
 * decode step that reads each row's cache (rows at independent positions) and returns the new
 * token's key/value for the runtime to append, as the T5 decoder step does.
 *
 * Prefill inputs: `input_ids` `[batch, seq]` int64 (right-padded), `rope_cos`/`rope_sin`
 * `[batch, seq, rotaryDim]` float32, `attention_bias` `[batch, 1, seq, seq]` float32 (0 or a large
 * negative number: causal, padding and sliding window). Outputs per layer `present_key_<i>`
 * `[batch, kvHeads, headDim, seq]` (transposed, the cache layout) and `present_value_<i>` `[batch, kvHeads, seq, headDim]`.
 *
 * Step inputs: `input_ids` `[batch]`, `rope_cos`/`rope_sin` `[batch, rotaryDim]`, `self_bias`
 * `[batch, cache + 1]`, per layer `past_key_<i>` `[batch, kvHeads, headDim, cache]` and `past_value_<i>`
 * `[batch, kvHeads, cache, headDim]`. Outputs `logits` `[batch, vocab]`, `new_key_<i>`/`new_value_<i>` `[batch, kvHeads * headDim]`.
 * Grouped-query attention never repeats keys: the query heads of one kv head form one matrix `[groups, headDim]`.
 */
import type { CausalConfig, WeightStore } from '../../model/index.js';
import type { Quantize } from '../settings.js';
import { GraphBuilder, type ExternalDataWriter } from './proto.js';
import { blockOutput, embed, lmHead, norm, projection, rotary, scaled, type CausalGraphContext } from './causal-layers.js';
import { shapeConstant } from './graph-constants.js';
import { stepAttention } from './step-attention.js';
import type { Int8Operator } from './t5-layers.js';

/** What both graphs are built from. */
export interface CausalGraphInput {
  readonly config: CausalConfig;
  readonly weights: WeightStore;
  readonly quantize: Quantize;
  readonly int8Operator?: Int8Operator;
  /** Where the weights go as they are read (no JavaScript copy of the checkpoint); absent: kept in the graph. */
  readonly externalData?: ExternalDataWriter;
}

const EMBEDDING = 'model.embed_tokens.weight';

function contextFor(input: CausalGraphInput, name: string): CausalGraphContext {
  return { ...input, graph: new GraphBuilder(name, input.externalData) };
}

function embedding(context: CausalGraphContext): string {
  const { config, graph } = context;
  return graph.floats(EMBEDDING, [config.vocabSize, config.hiddenSize], context.weights.read(EMBEDDING));
}

/** Builds the prefill graph (the last layer stops after its keys/values: nothing later is returned). */
export function buildCausalPrefillGraph(input: CausalGraphInput): GraphBuilder {
  const context = contextFor(input, 'causal_prefill');
  const { graph, config } = context;
  const { numHeads, numKvHeads, headDim } = config;
  const ids = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const tables = ropeInputs(context, ['batch', 'seq'], 2);
  const bias = graph.input('attention_bias', 'float32', ['batch', 1, 'seq', 'seq']);
  const positions = config.style.learnedPositions ? graph.input('position_ids', 'int64', ['batch', 'seq']) : undefined;
  let hidden = embed(context, embedding(context), ids, positions);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const normed = norm(context, hidden, `${prefix}.input_layernorm`);
    const heads = (x: string, count: number): string => graph.op('Reshape', [x, shapeConstant(context, [0, 0, count, headDim])]);
    const key = rotated(context, heads(projection(context, normed, `${prefix}.self_attn.k_proj`), numKvHeads), tables);
    const value = heads(projection(context, normed, `${prefix}.self_attn.v_proj`), numKvHeads);
    graph.op('Transpose', [key], { attributes: { perm: { ints: [0, 2, 3, 1] } }, output: `present_key_${layer}` });
    graph.op('Transpose', [value], { attributes: { perm: { ints: [0, 2, 1, 3] } }, output: `present_value_${layer}` });
    graph.output(`present_key_${layer}`, 'float32', ['batch', numKvHeads, headDim, 'seq']);
    graph.output(`present_value_${layer}`, 'float32', ['batch', numKvHeads, 'seq', headDim]);
    if (layer + 1 === config.numLayers) break;
    const query = rotated(context, heads(projection(context, normed, `${prefix}.self_attn.q_proj`), numHeads), tables);
    // [b, s, H, d] -> [b, kv, groups * s, d]: query head h = kv * groups + g reads kv head h // groups.
    const grouped = graph.op('Reshape', [
      graph.op('Transpose', [query], { attributes: { perm: { ints: [0, 2, 1, 3] } } }),
      shapeConstant(context, [0, numKvHeads, -1, headDim]),
    ]);
    const scores = scaled(context, graph.op('MatMul', [grouped, `present_key_${layer}`]));
    const perHead = graph.op('Add', [graph.op('Reshape', [scores, shapeConstant(context, [0, numHeads, -1, 0])]), bias]);
    const probabilities = graph.op('Softmax', [perHead], { attributes: { axis: { int: -1 } } });
    const back = graph.op('Reshape', [probabilities, shapeConstant(context, [0, numKvHeads, -1, 0])]);
    const attended = graph.op('Reshape', [
      graph.op('MatMul', [back, `present_value_${layer}`]),
      shapeConstant(context, [0, numHeads, -1, headDim]),
    ]);
    const merged = graph.op('Reshape', [
      graph.op('Transpose', [attended], { attributes: { perm: { ints: [0, 2, 1, 3] } } }),
      shapeConstant(context, [0, 0, numHeads * headDim]),
    ]);
    hidden = blockOutput(context, { hidden, normed, attended: projection(context, merged, `${prefix}.self_attn.o_proj`), layer });
  }
  return graph;
}

/** The RoPE cos/sin inputs (`[...dims, rotaryDim]`, unsqueezed at `headAxis` to broadcast over heads); none without RoPE. */
function ropeInputs(context: CausalGraphContext, dims: readonly string[], headAxis: number): RopeTables | undefined {
  const { graph, config } = context;
  if (config.rotaryDim === 0) return undefined;
  const input = (name: string): string =>
    graph.op('Unsqueeze', [graph.input(name, 'float32', [...dims, config.rotaryDim]), shapeConstant(context, [headAxis])]);
  return { cos: input('rope_cos'), sin: input('rope_sin') };
}

type RopeTables = { readonly cos: string; readonly sin: string };

function rotated(context: CausalGraphContext, x: string, tables: RopeTables | undefined): string {
  return tables === undefined ? x : rotary(context, x, tables);
}

/** Builds the one-token decode step graph. */
export function buildCausalStepGraph(input: CausalGraphInput): GraphBuilder {
  const context = contextFor(input, 'causal_decode_step');
  const { graph, config } = context;
  const ids = graph.input('input_ids', 'int64', ['batch']);
  const tables = ropeInputs(context, ['batch'], 1);
  const bias = graph.op('Unsqueeze', [graph.input('self_bias', 'float32', ['batch', 'slots']), shapeConstant(context, [1, 2])]);
  const positions = config.style.learnedPositions ? graph.input('position_ids', 'int64', ['batch']) : undefined;
  const table = embedding(context);
  let hidden = embed(context, table, ids, positions);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const normed = norm(context, hidden, `model.layers.${layer}.input_layernorm`);
    hidden = blockOutput(context, { hidden, normed, attended: attentionStep(context, { x: normed, layer, tables, bias }), layer });
  }
  lmHead(context, norm(context, hidden, 'model.norm'), table);
  graph.output('logits', 'float32', ['batch', config.vocabSize]);
  return graph;
}

interface AttentionStep {
  readonly x: string;
  readonly layer: number;
  readonly tables: RopeTables | undefined;
  readonly bias: string;
}

function attentionStep(context: CausalGraphContext, step: AttentionStep): string {
  const { graph, config } = context;
  const { numHeads, numKvHeads, headDim } = config;
  const groups = numHeads / numKvHeads;
  const prefix = `model.layers.${step.layer}.self_attn`;
  const heads = (x: string, count: number): string => graph.op('Reshape', [x, shapeConstant(context, [0, count, headDim])]);
  const query = rotated(context, heads(projection(context, step.x, `${prefix}.q_proj`), numHeads), step.tables);
  const key = rotated(context, heads(projection(context, step.x, `${prefix}.k_proj`), numKvHeads), step.tables);
  const newKey = graph.op('Reshape', [key, shapeConstant(context, [0, numKvHeads * headDim])], { output: `new_key_${step.layer}` });
  const newValue = projection(context, step.x, `${prefix}.v_proj`, `new_value_${step.layer}`);
  graph.output(newKey, 'float32', ['batch', numKvHeads * headDim]);
  graph.output(newValue, 'float32', ['batch', numKvHeads * headDim]);
  const grouped = graph.op('Reshape', [query, shapeConstant(context, [0, numKvHeads, groups, headDim])]);
  const attended = stepAttention(context, {
    query: grouped,
    // The key as the cache lays keys out (`[.., headDim, 1]`), the value as a row.
    ownKey: graph.op('Reshape', [newKey, shapeConstant(context, [0, numKvHeads, headDim, 1])]),
    ownValue: graph.op('Reshape', [newValue, shapeConstant(context, [0, numKvHeads, 1, headDim])]),
    pastKey: graph.input(`past_key_${step.layer}`, 'float32', ['batch', numKvHeads, headDim, 'cache']),
    pastValue: graph.input(`past_value_${step.layer}`, 'float32', ['batch', numKvHeads, 'cache', headDim]),
    bias: step.bias,
    scaleScores: (scores) => scaled(context, scores),
  });
  const merged = graph.op('Reshape', [attended, shapeConstant(context, [0, numHeads * headDim])]);
  return projection(context, merged, `${prefix}.o_proj`);
}
