/**
 * RoPE cos/sin rows as transformers v4.36 computes them in float32 (`LlamaRotaryEmbedding` and its
 * linear / dynamic-NTK variants): `inv_freq = 1 / base^(2i/dim)`, angle = position * inv_freq, and
 * `cat(freqs, freqs)`. Each product is rounded to float32 as torch does, so angles match at long positions.
 */
import type { CausalConfig } from '../../model/index.js';

const f32 = Math.fround;

/** The inverse frequencies `[rotaryDim / 2]` for `base` (float32 arithmetic). */
function inverseFrequencies(base: number, dim: number): Float32Array {
  const result = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) result[i] = f32(1 / f32(Math.pow(base, f32((2 * i) / dim))));
  return result;
}

/**
 * The base for a sequence of `length` tokens: `rope_theta`, raised by dynamic NTK scaling past
 * `max_position_embeddings` (4.36 recomputes its table for the longest length seen; here each row uses its own length).
 */
function baseFor(config: CausalConfig, length: number): number {
  const scaling = config.ropeScaling;
  if (scaling?.kind !== 'dynamic' || length <= config.maxPositionEmbeddings) return config.ropeTheta;
  const dim = config.rotaryDim;
  return config.ropeTheta * ((scaling.factor * length) / config.maxPositionEmbeddings - (scaling.factor - 1)) ** (dim / (dim - 2));
}

/** Precomputed state for one config: the default inverse frequencies. */
export class RopeTables {
  private readonly defaultFrequencies: Float32Array;

  constructor(private readonly config: CausalConfig) {
    this.defaultFrequencies = inverseFrequencies(config.ropeTheta, config.rotaryDim);
  }

  /** Writes cos/sin of `position` (a sequence `length` tokens long so far) at `offset` of `[.., rotaryDim]` tables. */
  write(
    tables: { readonly cos: Float32Array; readonly sin: Float32Array },
    offset: number,
    at: { position: number; length: number },
  ): void {
    const { config } = this;
    const base = baseFor(config, at.length);
    const frequencies = base === config.ropeTheta ? this.defaultFrequencies : inverseFrequencies(base, config.rotaryDim);
    // linear scaling divides the positions (t = t / factor in float32).
    const t = config.ropeScaling?.kind === 'linear' ? f32(at.position / config.ropeScaling.factor) : at.position;
    const half = frequencies.length;
    for (let i = 0; i < half; i++) {
      const angle = f32(t * (frequencies[i] as number));
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      tables.cos[offset + i] = cos;
      tables.cos[offset + half + i] = cos;
      tables.sin[offset + i] = sin;
      tables.sin[offset + half + i] = sin;
    }
  }
}
