/**
 * A BART or Marian checkpoint's tensors under canonical names. With shared embeddings `model.shared.weight`
 * stands for both embedding tables and, when tied, the output projection (`save_pretrained` keeps only it in
 * safetensors); Marian with separate vocabularies has one table per stack, the head tied to the decoder's.
 */
import type { BartConfig } from './bart-config.js';
import type { TensorRecord } from './tensor-record.js';
import { findWeightFiles, loadTensorRecords } from './weight-files.js';
import { checkExpectedTensors, storeOverRecords, type WeightStore } from './weight-store.js';

/** The embedding every stack and the tied head read when the embeddings are shared. */
export const BART_EMBEDDING = 'model.shared.weight';
const ENCODER_EMBEDDING = 'model.encoder.embed_tokens.weight';
const DECODER_EMBEDDING = 'model.decoder.embed_tokens.weight';
const EMBEDDING_ALIASES = [ENCODER_EMBEDDING, DECODER_EMBEDDING];

/** The canonical name of a stack's token embedding (and, for the decoder, of the tied head). */
export function bartEmbeddingName(config: BartConfig, stack: 'encoder' | 'decoder'): string {
  if (config.sharedEmbeddings) return BART_EMBEDDING;
  return stack === 'encoder' ? ENCODER_EMBEDDING : DECODER_EMBEDDING;
}

/** Every tensor the BART graphs read, with its shape. */
export function expectedBartTensors(config: BartConfig): Map<string, readonly number[]> {
  const { dModel, vocabSize } = config;
  const expected = new Map<string, readonly number[]>([
    [bartEmbeddingName(config, 'encoder'), [config.encoderVocabSize, dModel]],
    [bartEmbeddingName(config, 'decoder'), [vocabSize, dModel]],
    ['final_logits_bias', [1, vocabSize]],
  ]);
  const stacks = [
    { stack: 'encoder', layers: config.numLayers, ffn: config.encoderFfnDim, attentions: ['self_attn'] },
    { stack: 'decoder', layers: config.numDecoderLayers, ffn: config.decoderFfnDim, attentions: ['self_attn', 'encoder_attn'] },
  ];
  for (const { stack, layers, ffn, attentions } of stacks) {
    const prefix = `model.${stack}`;
    if (config.positionEmbedding === 'learned') {
      expected.set(`${prefix}.embed_positions.weight`, [config.maxPositionEmbeddings + config.positionOffset, dModel]);
    }
    if (config.layerNormEmbedding) {
      expected.set(`${prefix}.layernorm_embedding.weight`, [dModel]).set(`${prefix}.layernorm_embedding.bias`, [dModel]);
    }
    for (let layer = 0; layer < layers; layer++) {
      const block = `${prefix}.layers.${layer}`;
      for (const attention of attentions) {
        for (const part of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
          expected.set(`${block}.${attention}.${part}.weight`, [dModel, dModel]).set(`${block}.${attention}.${part}.bias`, [dModel]);
        }
        expected.set(`${block}.${attention}_layer_norm.weight`, [dModel]).set(`${block}.${attention}_layer_norm.bias`, [dModel]);
      }
      expected.set(`${block}.fc1.weight`, [ffn, dModel]).set(`${block}.fc1.bias`, [ffn]);
      expected.set(`${block}.fc2.weight`, [dModel, ffn]).set(`${block}.fc2.bias`, [dModel]);
      expected.set(`${block}.final_layer_norm.weight`, [dModel]).set(`${block}.final_layer_norm.bias`, [dModel]);
    }
  }
  if (!config.tieWordEmbeddings) expected.set('lm_head.weight', [vocabSize, dModel]);
  return expected;
}

/** Opens `dir`'s weight files as BART / Marian; MODEL_TENSOR_MISSING / _SHAPE when a tensor the graphs read is absent or mis-shaped. */
export async function openBartWeights(dir: string, config: BartConfig): Promise<WeightStore> {
  const weightFiles = await findWeightFiles(dir);
  const records = canonicalize(await loadTensorRecords(weightFiles), config);
  checkExpectedTensors(records, expectedBartTensors(config), weightFiles.source);
  return storeOverRecords(records, weightFiles.source);
}

// A .bin holds the tied aliases (sharing the kept table's storage); safetensors drops them.
function canonicalize(found: ReadonlyMap<string, TensorRecord>, config: BartConfig): Map<string, TensorRecord> {
  const records = new Map(found);
  if (!config.sharedEmbeddings) {
    // MarianMTModel ties lm_head to the decoder's own table; either name may be the one save_pretrained kept.
    const head = records.get('lm_head.weight');
    if (config.tieWordEmbeddings && !records.has(DECODER_EMBEDDING) && head !== undefined) records.set(DECODER_EMBEDDING, head);
    if (config.tieWordEmbeddings) records.delete('lm_head.weight');
    return records;
  }
  if (!records.has(BART_EMBEDDING)) {
    const alias = EMBEDDING_ALIASES.map((name) => records.get(name)).find((record) => record !== undefined);
    if (alias !== undefined) records.set(BART_EMBEDDING, alias);
  }
  for (const name of EMBEDDING_ALIASES) records.delete(name);
  if (config.tieWordEmbeddings) records.delete('lm_head.weight');
  return records;
}
