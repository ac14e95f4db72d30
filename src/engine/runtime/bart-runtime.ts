/**
 * BART on the shared seq2seq runtime: BART's graphs, fed each decoder row's absolute position (the
 * graphs' tables start at the learned table's offset row, so position p reads row p + 2 as HF does).
 */
import { parameterCount, type BartConfig, type WeightStore } from '../../model/index.js';
import { bartGraphBuilders } from '../graph/bart-graphs.js';
import { withBuiltGraphSet, withGraphSources, type GraphSetSource } from '../graph/graph-set.js';
import { ENCODER_DECODER_GRAPH_FILES } from '../graph/t5-graphs.js';
import type { Int8Operator } from '../graph/t5-layers.js';
import { openEncoderDecoderSessions } from './encoder-decoder-sessions.js';
import type { Quantize } from '../settings.js';
import { OrtSeq2SeqRuntime, type PositionFeeds } from './seq2seq-runtime.js';
import { runtimeInputInvalid } from './errors.js';

/** How a BART runtime is built. */
export interface CreateBartRuntimeOptions {
  readonly weights: WeightStore;
  readonly config: BartConfig;
  readonly quantize?: Quantize;
  readonly int8Operator?: Int8Operator;
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
}

function bartPositionFeeds(config: BartConfig): PositionFeeds {
  return {
    encoder: (length) => {
      if (length > config.maxPositionEmbeddings)
        throw runtimeInputInvalid('inputIds', length, `at most max_position_embeddings ${config.maxPositionEmbeddings} tokens`);
      return {};
    },
    step: (positions) => {
      const last = Math.max(...positions);
      if (last >= config.maxPositionEmbeddings)
        throw runtimeInputInvalid('position', last, `a decoder position below max_position_embeddings ${config.maxPositionEmbeddings}`);
      return { position_ids: { type: 'int64', dims: [positions.length], data: BigInt64Array.from(positions, BigInt) } };
    },
  };
}

/** Builds BART's graphs from the checkpoint's weights (streamed into temporary files past 32 MiB, as T5's) and opens them. */
export async function createBartRuntime(options: CreateBartRuntimeOptions): Promise<OrtSeq2SeqRuntime<BartConfig>> {
  const { weights, config } = options;
  const quantize = options.quantize ?? 'none';
  const builders = bartGraphBuilders({
    config,
    weights,
    quantize,
    ...(options.int8Operator === undefined ? {} : { int8Operator: options.int8Operator }),
  });
  const parts = ENCODER_DECODER_GRAPH_FILES.map((graph) => ({ ...graph, build: builders[graph.role] }));
  // Checkpoints small enough to build in memory serialize whole (past 32 MiB they are streamed into files).
  const facts = { family: config.modelType, quantize, externalDataThresholdBytes: Infinity, weightBytes: 4 * parameterCount(weights) };
  return withBuiltGraphSet(parts, facts, (graphs) => createBartRuntimeFromGraphs({ ...options, graphs }));
}

/** Options of {@link createBartRuntimeFromGraphs}: graphs built earlier (in memory, or a graph directory). */
export interface CreateBartRuntimeFromGraphsOptions {
  readonly config: BartConfig;
  readonly graphs: GraphSetSource;
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
}

/** Opens BART graphs built earlier: in memory, or a graph directory written by `convert --to onnx`. */
export async function createBartRuntimeFromGraphs(options: CreateBartRuntimeFromGraphsOptions): Promise<OrtSeq2SeqRuntime<BartConfig>> {
  const { config } = options;
  return withGraphSources(options.graphs, async (sources, manifest) => {
    const sessions = await openEncoderDecoderSessions(sources, {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      provider: options.provider ?? 'auto',
      label: 'BART',
    });
    return new OrtSeq2SeqRuntime({ config, quantize: manifest.quantize, ...sessions, positions: bartPositionFeeds(config) });
  });
}
