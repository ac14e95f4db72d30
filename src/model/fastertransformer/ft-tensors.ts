import type { T5Config } from '../t5-config.js';

/** How a FasterTransformer weight derives from Hugging Face tensors (all `[out, in]` Linear layout). */
export type FtTransform =
  /** Bytes as they are (layer norms; `shared.weight_T`; `lm_head` transposed twice). */
  | 'identity'
  /** `[a, b]` -> `[b, a]`. */
  | 'transpose'
  /** q, k, v `[inner, d_model]` each -> `[d_model, 3, inner]` (decoder self-attention only). */
  | 'fused-qkv';

/** One FasterTransformer weight: where it comes from, its full shape, and how ranks split it. */
export interface FtWeight {
  /** File stem: `<stem>.bin`, or `<stem>.<rank>.bin` when split. */
  readonly stem: string;
  /** Canonical Hugging Face names it is built from (three for the fused qkv). */
  readonly sources: readonly string[];
  readonly transform: FtTransform;
  /** Shape of the whole (unsplit) FT tensor. */
  readonly shape: readonly number[];
  /** Axis split across tensor-parallel ranks; null: one file shared by all ranks. */
  readonly splitAxis: number | null;
}

/**
 * Every weight file NVIDIA's `huggingface_t5_ckpt_convert.py` writes for this config, in a stable
 * order. Both the converter (writing) and the FT weight store (reading back) follow this table.
 */
export function fasterTransformerWeights(config: T5Config): FtWeight[] {
  const { dModel, dFf, vocabSize, numHeads } = config;
  const inner = numHeads * config.dKv;
  const buckets = config.relativeAttentionNumBuckets;
  const weights: FtWeight[] = [];
  const add = (stem: string, sources: readonly string[], transform: FtTransform, layout: Pick<FtWeight, 'shape' | 'splitAxis'>): void => {
    weights.push({ stem, sources, transform, ...layout });
  };
  add('shared.weight', ['shared.weight'], 'transpose', { shape: [dModel, vocabSize], splitAxis: null });
  add('shared.weight_T', ['shared.weight'], 'identity', { shape: [vocabSize, dModel], splitAxis: null });
  if (!config.tieWordEmbeddings) add('lm_head.weight', ['lm_head.weight'], 'identity', { shape: [vocabSize, dModel], splitAxis: null });
  const norm = (name: string): void => add(name, [name], 'identity', { shape: [dModel], splitAxis: null });
  const columns = (name: string, outputs: number, stem = name): void =>
    add(stem, [name], 'transpose', { shape: [dModel, outputs], splitAxis: 1 });
  const rows = (name: string, inputs: number): void => add(name, [name], 'transpose', { shape: [inputs, dModel], splitAxis: 0 });
  const bias = (name: string): void => add(name, [name], 'transpose', { shape: [numHeads, buckets], splitAxis: 0 });
  const feedForward = (prefix: string): void => {
    if (config.isGatedAct) {
      columns(`${prefix}.DenseReluDense.wi_0.weight`, dFf, `${prefix}.DenseReluDense.wi.weight`);
      columns(`${prefix}.DenseReluDense.wi_1.weight`, dFf, `${prefix}.DenseReluDense.wi2.weight`);
    } else {
      columns(`${prefix}.DenseReluDense.wi.weight`, dFf);
    }
    rows(`${prefix}.DenseReluDense.wo.weight`, dFf);
    norm(`${prefix}.layer_norm.weight`);
  };
  for (let block = 0; block < config.numLayers; block += 1) {
    const prefix = `encoder.block.${block}.layer`;
    for (const part of ['q', 'k', 'v']) columns(`${prefix}.0.SelfAttention.${part}.weight`, inner);
    rows(`${prefix}.0.SelfAttention.o.weight`, inner);
    if (block === 0) bias(`${prefix}.0.SelfAttention.relative_attention_bias.weight`);
    norm(`${prefix}.0.layer_norm.weight`);
    feedForward(`${prefix}.1`);
  }
  norm('encoder.final_layer_norm.weight');
  for (let block = 0; block < config.numDecoderLayers; block += 1) {
    const prefix = `decoder.block.${block}.layer`;
    const self = `${prefix}.0.SelfAttention`;
    add(
      `${self}.qkv.weight`,
      ['q', 'k', 'v'].map((part) => `${self}.${part}.weight`),
      'fused-qkv',
      { shape: [dModel, 3, inner], splitAxis: 2 },
    );
    rows(`${self}.o.weight`, inner);
    if (block === 0) bias(`${self}.relative_attention_bias.weight`);
    norm(`${prefix}.0.layer_norm.weight`);
    for (const part of ['q', 'k', 'v']) columns(`${prefix}.1.EncDecAttention.${part}.weight`, inner);
    rows(`${prefix}.1.EncDecAttention.o.weight`, inner);
    norm(`${prefix}.1.layer_norm.weight`);
    feedForward(`${prefix}.2`);
  }
  norm('decoder.final_layer_norm.weight');
  return weights;
}

/** File names of one weight: `[stem.bin]`, or `stem.0.bin` ... `stem.{N-1}.bin` when split. */
export function ftWeightFiles(weight: FtWeight, tensorParallel: number): string[] {
  if (weight.splitAxis === null) return [`${weight.stem}.bin`];
  return Array.from({ length: tensorParallel }, (_, rank) => `${weight.stem}.${rank}.bin`);
}

/** Shape of one rank's file: the split axis divided by the rank count. */
export function ftRankShape(weight: FtWeight, tensorParallel: number): number[] {
  return weight.shape.map((size, axis) => (axis === weight.splitAxis ? size / tensorParallel : size));
}
