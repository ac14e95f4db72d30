/**
 * The Marian family (MarianMTModel, e.g. the OPUS-MT checkpoints): BART's post-LayerNorm graphs and runtime with
 * the differences config.json implies (sinusoidal positions, no layernorm_embedding, shared or separate
 * vocabularies), and its own token ids (decoder start = pad, the last id).
 */
import { MARIAN_MODEL_TYPES } from '../../model/index.js';
import { bartLikeFamily } from './bart.js';
import type { ModelFamily } from './model-family.js';

/** Marian as the engine runs it. */
export const MARIAN_FAMILY: ModelFamily = bartLikeFamily({
  name: 'marian',
  modelTypes: MARIAN_MODEL_TYPES,
  architectures: ['MarianMTModel'],
});
