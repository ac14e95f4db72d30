/**
 * BART on the shared seq2seq runtime: BART's graphs, fed each decoder row's absolute position (the
 * graphs' tables start at the learned table's offset row, so position p reads row p + 2 as HF does).
 */
import type { BartConfig, WeightStore } from '../../model/index.js';
import { buildBartDecoderGraph, buildBartEncoderGraph } from '../graph/bart-graphs.js';
import type { Int8Operator } from '../graph/t5-layers.js';
import { openGraphSession } from '../session/ort.js';
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

// Graphs of this size serialize whole into protobuf's 2 GB; BART-large is 1.6 GB of float32.
const NO_EXTERNAL_DATA = Number.MAX_SAFE_INTEGER;

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

/** Builds BART's graphs from the checkpoint's weights and opens them. */
export async function createBartRuntime(options: CreateBartRuntimeOptions): Promise<OrtSeq2SeqRuntime<BartConfig>> {
  const { weights, config } = options;
  const quantize = options.quantize ?? 'none';
  const input = { config, weights, quantize, ...(options.int8Operator === undefined ? {} : { int8Operator: options.int8Operator }) };
  const serialize = (graph: ReturnType<typeof buildBartEncoderGraph>): Uint8Array =>
    graph.serialize({ externalDataFile: 'unused.data', thresholdBytes: NO_EXTERNAL_DATA }).model;
  const encoderBytes = serialize(buildBartEncoderGraph(input));
  const decoderBytes = serialize(buildBartDecoderGraph(input));
  const provider = options.provider ?? 'auto';
  const threads = options.threads !== undefined && options.threads > 0 ? options.threads : undefined;
  const encoder = await openGraphSession(encoderBytes, { threads: threads ?? 2, provider, label: 'BART encoder graph' });
  const decoder = await openGraphSession(decoderBytes, { threads: threads ?? 1, provider, label: 'BART decoder graph' });
  return new OrtSeq2SeqRuntime({ config, quantize, encoder, decoder, positions: bartPositionFeeds(config) });
}
