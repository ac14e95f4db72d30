/**
 * Builds the T5 encoder and decoder-step graphs from a checkpoint as a graph set (written and read by
 * graph-set.ts, weights in external data files when they are large).
 */
import type { T5Config, WeightStore } from '../../model/index.js';
import type { T5GraphOptions } from '../runtime/types.js';
import { serializeGraphSet, type GraphPart, type GraphSet, type SerializeGraphSetOptions } from './graph-set.js';
import type { ExternalDataWriter, GraphBuilder } from './proto.js';
import { buildDecoderGraph } from './t5-decoder-graph.js';
import { buildEncoderGraph } from './t5-encoder-graph.js';
import { resolveGraphOptions } from './t5-graph-options.js';

/** The encoder-decoder graph files of a graph directory, by role (the T5 and BART families' table rows name these). */
export const ENCODER_DECODER_GRAPH_FILES = Object.freeze([
  { role: 'encoder', file: 'encoder.onnx' },
  { role: 'decoder-step', file: 'decoder.onnx' },
] as const);

/**
 * How each T5 graph is built, by role; nothing is built until a builder is called. Given an
 * {@link ExternalDataWriter}, a builder streams its weights to that file as it reads them.
 */
export function t5GraphBuilders(
  config: T5Config,
  weights: WeightStore,
  options: T5GraphOptions = {},
): Readonly<Record<'encoder' | 'decoder-step', (externalData?: ExternalDataWriter) => GraphBuilder>> {
  const resolved = resolveGraphOptions(options);
  const base = { config, weights, quantize: resolved.quantize, int8Operator: resolved.int8Operator };
  return {
    encoder: (externalData) => buildEncoderGraph(base, resolved, externalData),
    'decoder-step': (externalData) => buildDecoderGraph(base, resolved, externalData),
  };
}

/** T5's graphs in the family row's order, and what the set's manifest says of them. */
export function t5GraphParts(
  config: T5Config,
  weights: WeightStore,
  options: T5GraphOptions = {},
): { readonly parts: readonly GraphPart[]; readonly facts: SerializeGraphSetOptions } {
  const resolved = resolveGraphOptions(options);
  const builders = t5GraphBuilders(config, weights, options);
  const parts = ENCODER_DECODER_GRAPH_FILES.map((graph) => ({ ...graph, build: builders[graph.role] }));
  const facts = {
    family: 't5',
    quantize: resolved.quantize,
    fuseQkv: resolved.fuseQkv,
    externalDataThresholdBytes: resolved.externalDataThresholdBytes,
  };
  return { parts, facts };
}

/** Builds both graphs in memory (weights are read once per graph, then dropped by the caller's store). */
export function buildT5Graphs(config: T5Config, weights: WeightStore, options: T5GraphOptions = {}): GraphSet {
  const { parts, facts } = t5GraphParts(config, weights, options);
  return serializeGraphSet(parts, facts);
}
