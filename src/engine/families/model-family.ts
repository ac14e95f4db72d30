/**
 * What a model family declares, so that shared engine code (backend, scheduler, converter, serve)
 * reads properties instead of branching on family names.
 */
import type { ModelConfig, ModelDirectory, WeightStore } from '../../model/index.js';
import type { GraphRole, GraphSetSource } from '../graph/graph-set.js';
import type { ExternalDataWriter, GraphBuilder } from '../graph/proto.js';
import type { GenerationRuntime } from '../runtime/types.js';
import type { Quantize } from '../settings.js';

/** One ONNX graph of a family: its role, file name in a graph directory, and what it computes. */
export interface FamilyGraph {
  readonly role: GraphRole;
  readonly file: string;
  readonly description: string;
}

/** Special token ids a family takes from config.json. */
export interface FamilySpecialTokens {
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}

/** How a family's runtime is opened from a checkpoint. */
export interface FamilyRuntimeOptions {
  readonly quantize: Quantize;
  /** onnxruntime intra-op threads; absent = the measured default. */
  readonly threads?: number;
  readonly provider?: 'cpu' | 'auto';
}

/** A model family: table of facts plus the function that builds its graphs and opens its runtime. */
export interface ModelFamily {
  readonly name: string;
  readonly architecture: 'encoder-decoder' | 'decoder-only';
  /** `model_type` values of config.json that this family serves. */
  readonly modelTypes: readonly string[];
  /** config.json `architectures` class names served; a checkpoint naming only other classes is refused. */
  readonly architectures: readonly string[];
  /** How config.json is read (the model module's reader for this family). */
  readonly configReader: 't5' | 'bart' | 'causal';
  readonly graphs: readonly FamilyGraph[];
  /**
   * Whether FasterTransformer's T5 tensor contract (`/v2/models/fastertransformer/infer`: encoder ids in, decoder
   * ids out, NVIDIA's T5 converter's layout) covers this family's checkpoints.
   */
  readonly fasterTransformerContract: boolean;
  /** Layout of the decoder caches, for documentation and for converters that write them. */
  readonly kvCacheLayout: Readonly<Record<string, string>>;
  specialTokens(config: ModelConfig): FamilySpecialTokens;
  /** Builds the graphs from a Hugging Face (or FasterTransformer) checkpoint's weights and opens them. */
  openCheckpoint(model: ModelDirectory, options: FamilyRuntimeOptions): Promise<GenerationRuntime>;
  /** How each graph of `graphs` is built from a checkpoint's weights, by role (what `convert --to onnx` writes). */
  graphBuilders(config: ModelConfig, weights: WeightStore, options: { readonly quantize: Quantize }): FamilyGraphBuilders;
  /** Opens graphs built earlier (in memory, or a graph directory whose manifest names this family). */
  openGraphs(config: ModelConfig, graphs: GraphSetSource, options: Omit<FamilyRuntimeOptions, 'quantize'>): Promise<GenerationRuntime>;
}

/** A family's graph builders by role; nothing is built until one is called. */
export type FamilyGraphBuilders = Readonly<Partial<Record<GraphRole, (externalData?: ExternalDataWriter) => GraphBuilder>>>;
