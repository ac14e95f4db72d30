import type { T5Config } from './t5-config.js';

/**
 * Every tensor a T5ForConditionalGeneration state dict must hold, canonical name -> shape
 * (PyTorch Linear layout `[out, in]`, float). `shared.weight` stands for the embeddings of both
 * stacks; `lm_head.weight` appears only when the word embeddings are not tied.
 */
export function expectedT5Tensors(config: T5Config): ReadonlyMap<string, readonly number[]> {
  const { dModel, dFf, vocabSize, numHeads, relativeAttentionNumBuckets: buckets } = config;
  const inner = numHeads * config.dKv;
  const tensors = new Map<string, readonly number[]>();
  tensors.set('shared.weight', [vocabSize, dModel]);
  const attention = (prefix: string, withBias: boolean): void => {
    for (const part of ['q', 'k', 'v']) tensors.set(`${prefix}.${part}.weight`, [inner, dModel]);
    tensors.set(`${prefix}.o.weight`, [dModel, inner]);
    // Only the first block of each stack owns the relative position bias `[buckets, heads]` (umT5: every block's self-attention).
    if (withBias) tensors.set(`${prefix}.relative_attention_bias.weight`, [buckets, numHeads]);
  };
  const feedForward = (prefix: string): void => {
    if (config.isGatedAct) {
      tensors.set(`${prefix}.DenseReluDense.wi_0.weight`, [dFf, dModel]);
      tensors.set(`${prefix}.DenseReluDense.wi_1.weight`, [dFf, dModel]);
    } else {
      tensors.set(`${prefix}.DenseReluDense.wi.weight`, [dFf, dModel]);
    }
    tensors.set(`${prefix}.DenseReluDense.wo.weight`, [dModel, dFf]);
    tensors.set(`${prefix}.layer_norm.weight`, [dModel]);
  };
  for (let block = 0; block < config.numLayers; block += 1) {
    const prefix = `encoder.block.${block}.layer`;
    attention(`${prefix}.0.SelfAttention`, block === 0 || config.relativeBiasPerLayer);
    tensors.set(`${prefix}.0.layer_norm.weight`, [dModel]);
    feedForward(`${prefix}.1`);
  }
  tensors.set('encoder.final_layer_norm.weight', [dModel]);
  for (let block = 0; block < config.numDecoderLayers; block += 1) {
    const prefix = `decoder.block.${block}.layer`;
    attention(`${prefix}.0.SelfAttention`, block === 0 || config.relativeBiasPerLayer);
    tensors.set(`${prefix}.0.layer_norm.weight`, [dModel]);
    attention(`${prefix}.1.EncDecAttention`, false);
    tensors.set(`${prefix}.1.layer_norm.weight`, [dModel]);
    feedForward(`${prefix}.2`);
  }
  tensors.set('decoder.final_layer_norm.weight', [dModel]);
  if (!config.tieWordEmbeddings) tensors.set('lm_head.weight', [vocabSize, dModel]);
  return tensors;
}
