/**
 * The onnxruntime implementation of {@link T5Runtime}: the shared seq2seq runtime over T5's graphs,
 * fed T5's relative-position buckets.
 */
import type { T5Config } from '../../model/index.js';
import { withGraphSources } from '../graph/graph-set.js';
import { buildT5Graphs } from '../graph/t5-graphs.js';
import { openEncoderDecoderSessions } from './encoder-decoder-sessions.js';
import { decoderBucketTable, encoderBuckets } from './relative-position.js';
import { OrtSeq2SeqRuntime, type PositionFeeds } from './seq2seq-runtime.js';
import type { CreateT5RuntimeFromGraphsOptions, CreateT5RuntimeOptions, T5Runtime } from './types.js';
/**
 * Past this many weight bytes createT5Runtime hands the graphs to onnxruntime as files with external
 * data: measured on t5-small, RSS after loading falls from about 3.4x to 1.3x the weights, because
 * onnxruntime then holds the only copy of the weights.
 */
const LEAN_LOAD_THRESHOLD_BYTES = 32 * 1024 * 1024;

/** Builds the graphs from a checkpoint's weights and opens them. */
export async function createT5Runtime(options: CreateT5RuntimeOptions): Promise<T5Runtime> {
  const { weights, config, threads, provider, ...graphOptions } = options;
  const graphs = buildT5Graphs(config, weights, { externalDataThresholdBytes: LEAN_LOAD_THRESHOLD_BYTES, ...graphOptions });
  return createT5RuntimeFromGraphs({
    config,
    graphs,
    ...(threads === undefined ? {} : { threads }),
    ...(provider === undefined ? {} : { provider }),
  });
}

/** Opens graphs built earlier: in memory, or a graph directory written by writeGraphSet. */
export async function createT5RuntimeFromGraphs(options: CreateT5RuntimeFromGraphsOptions): Promise<T5Runtime> {
  return withGraphSources(options.graphs, async (sources, manifest) => {
    const sessions = await openEncoderDecoderSessions(sources, {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      provider: options.provider ?? 'auto',
      label: 'T5',
    });
    return new OrtSeq2SeqRuntime({
      config: options.config,
      quantize: manifest.quantize,
      ...sessions,
      positions: t5PositionFeeds(options.config),
    });
  });
}

/** T5's position inputs: bidirectional relative buckets in the encoder, causal ones per cache slot in the step. */
function t5PositionFeeds(config: T5Config): PositionFeeds {
  const numBuckets = config.relativeAttentionNumBuckets;
  const maxDistance = config.relativeAttentionMaxDistance;
  const bucketTable = decoderBucketTable(maxDistance + 1, { numBuckets, maxDistance });
  const lastDistance = bucketTable.length - 1;
  return {
    encoder: (length) => ({
      position_bucket: {
        type: 'int64',
        dims: [length, length],
        data: encoderBuckets(length, { numBuckets, maxDistance, bidirectional: true }),
      },
    }),
    step: (positions, slots) => {
      const bucket = new BigInt64Array(positions.length * slots);
      positions.forEach((position, row) => {
        for (let slot = 0; slot < position; slot++)
          bucket[row * slots + slot] = bucketTable[Math.min(position - slot, lastDistance)] as bigint;
        bucket[row * slots + slots - 1] = bucketTable[0] as bigint;
      });
      return { self_bucket: { type: 'int64', dims: [positions.length, slots], data: bucket } };
    },
  };
}
