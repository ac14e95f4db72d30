/**
 * The onnxruntime implementation of {@link T5Runtime}: the shared seq2seq runtime over T5's graphs,
 * fed T5's relative-position buckets.
 */
import { parameterCount, type T5Config } from '../../model/index.js';
import { withBuiltGraphSet, withGraphSources } from '../graph/graph-set.js';
import { t5GraphParts } from '../graph/t5-graphs.js';
import { openEncoderDecoderSessions } from './encoder-decoder-sessions.js';
import { decoderBucketTable, encoderBuckets } from './relative-position.js';
import { OrtSeq2SeqRuntime, type PositionFeeds } from './seq2seq-runtime.js';
import type { CreateT5RuntimeFromGraphsOptions, CreateT5RuntimeOptions, T5Runtime } from './types.js';
/**
 * Builds the graphs from a checkpoint's weights and opens them; past 32 MiB of weights they are
 * streamed into temporary files, so no JavaScript copy of the checkpoint is held (README: Peak memory).
 */
export async function createT5Runtime(options: CreateT5RuntimeOptions): Promise<T5Runtime> {
  const { weights, config, threads, provider, ...graphOptions } = options;
  const { parts, facts } = t5GraphParts(config, weights, graphOptions);
  return withBuiltGraphSet(parts, { ...facts, weightBytes: 4 * parameterCount(weights) }, (graphs) =>
    createT5RuntimeFromGraphs({
      config,
      graphs,
      ...(threads === undefined ? {} : { threads }),
      ...(provider === undefined ? {} : { provider }),
    }),
  );
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
