/**
 * BART's and Marian's encoder and one-token decoder-step graphs (transformers v4.36 modeling_bart.py and
 * modeling_marian.py, eager): post-LayerNorm blocks `x = LN(x + attn(x))`, `x = LN(x + fc2(act(fc1 x)))`,
 * queries scaled by head_dim**-0.5, biases on every projection, tied head plus `final_logits_bias`. BART's
 * learned positions read `offset` rows on and pass `layernorm_embedding`; Marian's are sinusoids, no norm.
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/models/bart/modeling_bart.py
 *
 * Encoder inputs `input_ids` `[batch, seq]`, `attention_bias` `[batch, seq]`; outputs `last_hidden_state`,
 * `cross_key_<i>` `[batch, heads, dKv, seq]`, `cross_value_<i>` `[batch, heads, seq, dKv]`.
 * Step inputs `input_ids` `[batch]`, `position_ids` `[batch]` (0-based, without the offset), `self_bias`
 * `[batch, cache + 1]`, `cross_bias` `[batch, enc]` and the caches of the T5 step graph; same outputs.
 */
import { bartEmbeddingName, type BartConfig, type WeightStore } from '../../model/index.js';
import type { Quantize } from '../settings.js';
import { activation } from './activations.js';
import { projection } from './causal-layers.js';
import { constant, shapeConstant } from './graph-constants.js';
import { GraphBuilder, type ExternalDataWriter } from './proto.js';
import { sinusoidalPositions } from './sinusoidal-positions.js';
import { DEFAULT_GRAPH_OPTIONS } from './t5-graph-options.js';
import { linear, type GraphContext, type Int8Operator } from './t5-layers.js';
import { stepAttention } from './step-attention.js';

/** What both BART graphs are built from. */
export interface BartGraphInput {
  readonly config: BartConfig;
  readonly weights: WeightStore;
  readonly quantize: Quantize;
  readonly int8Operator?: Int8Operator;
  /** Where the weights go as they are read (no JavaScript copy of the checkpoint); absent: kept in the graph. */
  readonly externalData?: ExternalDataWriter;
}

interface BartContext extends GraphContext {
  readonly config: BartConfig;
}

function layerNorm(context: BartContext, x: string, prefix: string): string {
  const { graph, config, weights } = context;
  const read = (name: string): string => graph.floats(name, [config.dModel], weights.read(name));
  return graph.op('LayerNormalization', [x, read(`${prefix}.weight`), read(`${prefix}.bias`)], {
    attributes: { axis: { int: -1 }, epsilon: { float: config.layerNormEpsilon } },
  });
}

// Token embeddings (x embed_scale) + the positions' rows, then (BART) layernorm_embedding.
function embed(context: BartContext, stack: 'encoder' | 'decoder', ids: string, positions: (table: string) => string): string {
  const { graph, config, weights } = context;
  const name = bartEmbeddingName(config, stack);
  const rows = stack === 'encoder' ? config.encoderVocabSize : config.vocabSize;
  let tokens = graph.op('Gather', [graph.floats(name, [rows, config.dModel], weights.read(name)), ids]);
  if (config.embedScale !== 1) tokens = graph.op('Mul', [tokens, constant(context, 'embed_scale', config.embedScale)]);
  const embedded = graph.op('Add', [tokens, positions(positionTable(context, stack))]);
  return config.layerNormEmbedding ? layerNorm(context, embedded, `model.${stack}.layernorm_embedding`) : embedded;
}

// `[maxPositionEmbeddings, dModel]`, position p at row p: the learned table from row `offset` on, or the sinusoids.
function positionTable(context: BartContext, stack: 'encoder' | 'decoder'): string {
  const { graph, config, weights } = context;
  const shape = [config.maxPositionEmbeddings, config.dModel];
  if (config.positionEmbedding === 'sinusoidal') {
    return graph.floats('sinusoidal_positions', shape, sinusoidalPositions(config.maxPositionEmbeddings, config.dModel));
  }
  const name = `model.${stack}.embed_positions.weight`;
  return graph.floats(`${name}.from_offset`, shape, weights.read(name).subarray(config.positionOffset * config.dModel));
}

function feedForward(context: BartContext, x: string, prefix: string): string {
  const hidden = activation(context, projection(context, x, `${prefix}.fc1`), context.config.activation);
  return projection(context, hidden, `${prefix}.fc2`);
}

function scaledQuery(context: BartContext, x: string, prefix: string, heads: number): string {
  const scale = (context.config.dModel / heads) ** -0.5;
  return context.graph.op('Mul', [projection(context, x, `${prefix}.q_proj`), constant(context, `q_scale_${heads}`, scale)]);
}

/** `[batch, seq, dModel]` -> `[batch, heads, seq, d]`, or `[batch, heads, d, seq]` for keys. */
function toHeads(context: BartContext, x: string, layout: { heads: number; keyLayout: boolean; output?: string }): string {
  const { heads, keyLayout, output } = layout;
  const { graph, config } = context;
  const split = graph.op('Reshape', [x, shapeConstant(context, [0, 0, heads, config.dModel / heads])]);
  const attributes = { perm: { ints: keyLayout ? [0, 2, 3, 1] : [0, 2, 1, 3] } };
  return graph.op('Transpose', [split], output === undefined ? { attributes } : { attributes, output });
}

/** Builds the encoder graph. */
export function buildBartEncoderGraph(input: BartGraphInput): GraphBuilder {
  const context: BartContext = { ...input, graph: new GraphBuilder('bart_encoder', input.externalData) };
  const { graph, config } = context;
  const ids = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const mask = graph.op('Unsqueeze', [graph.input('attention_bias', 'float32', ['batch', 'seq']), shapeConstant(context, [1, 2])]);
  const length = graph.op('Shape', [ids], { attributes: { start: { int: 1 }, end: { int: 2 } } });
  const positions = (table: string): string => graph.op('Slice', [table, shapeConstant(context, [0]), length, shapeConstant(context, [0])]);
  let hidden = embed(context, 'encoder', ids, positions);
  const heads = config.encoderHeads;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.encoder.layers.${layer}`;
    const attention = `${prefix}.self_attn`;
    const query = toHeads(context, scaledQuery(context, hidden, attention, heads), { heads, keyLayout: false });
    const key = toHeads(context, projection(context, hidden, `${attention}.k_proj`), { heads, keyLayout: true });
    const value = toHeads(context, projection(context, hidden, `${attention}.v_proj`), { heads, keyLayout: false });
    const scores = graph.op('Add', [graph.op('MatMul', [query, key]), mask]);
    const probabilities = graph.op('Softmax', [scores], { attributes: { axis: { int: -1 } } });
    const merged = graph.op('Reshape', [
      graph.op('Transpose', [graph.op('MatMul', [probabilities, value])], { attributes: { perm: { ints: [0, 2, 1, 3] } } }),
      shapeConstant(context, [0, 0, config.dModel]),
    ]);
    hidden = layerNorm(context, graph.op('Add', [hidden, projection(context, merged, `${attention}.out_proj`)]), `${attention}_layer_norm`);
    hidden = layerNorm(context, graph.op('Add', [hidden, feedForward(context, hidden, prefix)]), `${prefix}.final_layer_norm`);
  }
  graph.op('Identity', [hidden], { output: 'last_hidden_state' });
  graph.output('last_hidden_state', 'float32', ['batch', 'seq', config.dModel]);
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    const prefix = `model.decoder.layers.${layer}.encoder_attn`;
    toHeads(context, projection(context, hidden, `${prefix}.k_proj`), {
      heads: config.numHeads,
      keyLayout: true,
      output: `cross_key_${layer}`,
    });
    toHeads(context, projection(context, hidden, `${prefix}.v_proj`), {
      heads: config.numHeads,
      keyLayout: false,
      output: `cross_value_${layer}`,
    });
    graph.output(`cross_key_${layer}`, 'float32', ['batch', config.numHeads, config.dKv, 'seq']);
    graph.output(`cross_value_${layer}`, 'float32', ['batch', config.numHeads, 'seq', config.dKv]);
  }
  return graph;
}

/** Builds the one-token decoder step graph. */
export function buildBartDecoderGraph(input: BartGraphInput): GraphBuilder {
  const context: BartContext = { ...input, graph: new GraphBuilder('bart_decoder_step', input.externalData) };
  const { graph, config } = context;
  const { numHeads, dKv } = config;
  const ids = graph.input('input_ids', 'int64', ['batch']);
  const positionIds = graph.input('position_ids', 'int64', ['batch']);
  const selfBias = graph.op('Unsqueeze', [graph.input('self_bias', 'float32', ['batch', 'slots']), shapeConstant(context, [1, 2])]);
  const crossBias = graph.op('Unsqueeze', [graph.input('cross_bias', 'float32', ['batch', 'enc']), shapeConstant(context, [1, 2])]);
  let hidden = embed(context, 'decoder', ids, (table) => graph.op('Gather', [table, positionIds]));
  const rowHeads = (x: string): string => graph.op('Reshape', [x, shapeConstant(context, [0, numHeads, 1, dKv])]);
  const keyColumns = (x: string): string => graph.op('Reshape', [x, shapeConstant(context, [0, numHeads, dKv, 1])]);
  for (let layer = 0; layer < config.numDecoderLayers; layer++) {
    const prefix = `model.decoder.layers.${layer}`;
    const self = `${prefix}.self_attn`;
    const newKey = projection(context, hidden, `${self}.k_proj`, `new_key_${layer}`);
    const newValue = projection(context, hidden, `${self}.v_proj`, `new_value_${layer}`);
    graph.output(newKey, 'float32', ['batch', numHeads * dKv]);
    graph.output(newValue, 'float32', ['batch', numHeads * dKv]);
    const attended = stepAttention(context, {
      query: rowHeads(scaledQuery(context, hidden, self, numHeads)),
      ownKey: keyColumns(newKey),
      ownValue: rowHeads(newValue),
      pastKey: graph.input(`past_key_${layer}`, 'float32', ['batch', numHeads, dKv, 'cache']),
      pastValue: graph.input(`past_value_${layer}`, 'float32', ['batch', numHeads, 'cache', dKv]),
      bias: selfBias,
    });
    const merged = graph.op('Reshape', [attended, shapeConstant(context, [0, numHeads * dKv])]);
    hidden = layerNorm(context, graph.op('Add', [hidden, projection(context, merged, `${self}.out_proj`)]), `${self}_layer_norm`);
    hidden = layerNorm(
      context,
      graph.op('Add', [hidden, crossStep(context, hidden, crossBias, layer)]),
      `${prefix}.encoder_attn_layer_norm`,
    );
    hidden = layerNorm(context, graph.op('Add', [hidden, feedForward(context, hidden, prefix)]), `${prefix}.final_layer_norm`);
  }
  head(context, hidden);
  graph.output('logits', 'float32', ['batch', config.vocabSize]);
  return graph;
}

function crossStep(context: BartContext, x: string, bias: string, layer: number): string {
  const { graph, config } = context;
  const { numHeads, dKv } = config;
  const prefix = `model.decoder.layers.${layer}.encoder_attn`;
  const crossKey = graph.input(`cross_key_${layer}`, 'float32', ['batch', numHeads, dKv, 'enc']);
  const crossValue = graph.input(`cross_value_${layer}`, 'float32', ['batch', numHeads, 'enc', dKv]);
  const query = graph.op('Reshape', [scaledQuery(context, x, prefix, numHeads), shapeConstant(context, [0, numHeads, 1, dKv])]);
  const probabilities = graph.op('Softmax', [graph.op('Add', [graph.op('MatMul', [query, crossKey]), bias])], {
    attributes: { axis: { int: -1 } },
  });
  const attended = graph.op('Reshape', [graph.op('MatMul', [probabilities, crossValue]), shapeConstant(context, [0, numHeads * dKv])]);
  return projection(context, attended, `${prefix}.out_proj`);
}

/**
 * How each BART graph is built, by role (given a writer, weights stream to it); nothing is built until
 * a builder is called. Int8 defaults to T5's measured operator.
 */
export function bartGraphBuilders(
  input: BartGraphInput,
): Readonly<Record<'encoder' | 'decoder-step', (externalData?: ExternalDataWriter) => GraphBuilder>> {
  // Without this, `linear` would fall back to DynamicQuantizeMatMul (cosine 0.969 to the fp32 logits here, against 0.990).
  const resolved = { ...input, int8Operator: input.int8Operator ?? DEFAULT_GRAPH_OPTIONS.int8Operator };
  const withData = (externalData?: ExternalDataWriter): BartGraphInput =>
    externalData === undefined ? resolved : { ...resolved, externalData };
  return {
    encoder: (externalData) => buildBartEncoderGraph(withData(externalData)),
    'decoder-step': (externalData) => buildBartDecoderGraph(withData(externalData)),
  };
}

// logits = x @ embedding^T (tied: Gemm transB on the decoder's one embedding copy) or lm_head, + final_logits_bias.
function head(context: BartContext, x: string): void {
  const { graph, config, weights } = context;
  const bias = graph.floats('final_logits_bias', [config.vocabSize], weights.read('final_logits_bias'));
  const embedding = bartEmbeddingName(config, 'decoder');
  if (config.tieWordEmbeddings && context.quantize === 'none') {
    graph.op('Gemm', [x, embedding, bias], { attributes: { transB: { int: 1 } }, output: 'logits' });
    return;
  }
  const projected = linear(context, x, [config.tieWordEmbeddings ? embedding : 'lm_head.weight']);
  graph.op('Add', [projected, bias], { output: 'logits' });
}
