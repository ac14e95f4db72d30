/**
 * What a model family declares, so that shared engine code (backend, scheduler, converter, serve)
 * reads properties instead of branching on family names.
 */
import type { T5Config, WeightStore } from '../../model/index.js';
import type { CreateT5RuntimeFromGraphsOptions, T5GraphOptions, T5Graphs, T5Runtime } from '../runtime/types.js';

/** One ONNX graph of a family: its role, file name in a graph directory, and what it computes. */
export interface FamilyGraph {
  readonly role: 'encoder' | 'decoder-step';
  readonly file: string;
  readonly description: string;
}

/** Special token ids a family takes from config.json. */
export interface FamilySpecialTokens {
  readonly decoderStartTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}

/** A model family: table of facts plus the functions that build and open its graphs. */
export interface ModelFamily {
  readonly name: string;
  /** `model_type` values of config.json that this family serves. */
  readonly modelTypes: readonly string[];
  readonly graphs: readonly FamilyGraph[];
  /** Layout of the decoder caches, for documentation and for converters that write them. */
  readonly kvCacheLayout: Readonly<Record<'selfKey' | 'selfValue' | 'crossKey' | 'crossValue', string>>;
  specialTokens(config: T5Config): FamilySpecialTokens;
  buildGraphs(config: T5Config, weights: WeightStore, options?: T5GraphOptions): T5Graphs;
  createRuntime(options: CreateT5RuntimeFromGraphsOptions): Promise<T5Runtime>;
}
