// Random-weight checkpoints of real model shapes (T5, and a decoder-only Llama), written as safetensors for the benchmark.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedCausalTensors, expectedT5Tensors, readCausalConfig, readT5Config, writeSafetensors } from '../src/model/index.js';
import type { FloatDtype, SafetensorsTensorInput } from '../src/model/index.js';

/** A model shape the benchmark runs. */
export interface BenchShape {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

const COMMON = {
  model_type: 't5',
  vocab_size: 32128,
  d_kv: 64,
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
  decoder_start_token_id: 0,
  eos_token_id: 1,
  pad_token_id: 0,
};

/** A Llama of about 60M parameters (untied head): grouped-query attention, SwiGLU, Llama 2's vocabulary size. */
const LLAMA_60M = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  vocab_size: 32000,
  hidden_size: 512,
  intermediate_size: 1536,
  num_hidden_layers: 8,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  max_position_embeddings: 2048,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
};

/** t5-small (60M) and t5-base (223M) shapes, T5 v1.0 layout, and a 60M decoder-only Llama. */
export const BENCH_SHAPES: readonly BenchShape[] = [
  { name: 't5-small', config: { ...COMMON, d_model: 512, d_ff: 2048, num_heads: 8, num_layers: 6, num_decoder_layers: 6 } },
  { name: 't5-base', config: { ...COMMON, d_model: 768, d_ff: 3072, num_heads: 12, num_layers: 12, num_decoder_layers: 12 } },
  { name: 'llama-60m', config: LLAMA_60M },
];

/** Whether `config` is a decoder-only shape (its case loads a causal runtime). */
export function isCausalShape(config: Readonly<Record<string, unknown>>): boolean {
  return config.model_type !== 't5';
}

// Deterministic xorshift32 normal-ish values (sum of two uniforms), scaled by 1/sqrt(fan-in) so activations stay finite.
function randomValues(count: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed | 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296 - 0.5;
  };
  for (let index = 0; index < count; index++) values[index] = (next() + next()) * scale;
  return values;
}

/** Writes config.json and model.safetensors of `shape` into `dir` (float32 unless `dtype` says otherwise). */
export async function writeBenchCheckpoint(dir: string, shape: BenchShape, dtype: FloatDtype = 'F32'): Promise<void> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(shape.config));
  const expected = isCausalShape(shape.config)
    ? expectedCausalTensors(await readCausalConfig(dir))
    : expectedT5Tensors(await readT5Config(dir));
  const tensors = new Map<string, SafetensorsTensorInput>();
  let seed = 7;
  for (const [name, dims] of expected) {
    const count = dims.reduce((product, size) => product * size, 1);
    const tensorSeed = (seed += 1);
    // Norm weights (the only 1-D tensors of both layouts) are ones; embeddings unit scale.
    const scale =
      dims.length === 1
        ? 0
        : name === 'shared.weight' || name === 'model.embed_tokens.weight' || name.includes('relative_attention')
          ? 1
          : 2.4 / Math.sqrt(dims[1] ?? 1);
    tensors.set(name, {
      dtype,
      shape: dims,
      data: () => (scale === 0 ? new Float32Array(count).fill(1) : randomValues(count, tensorSeed, scale)),
    });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}
