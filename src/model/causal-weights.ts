/**
 * Weights of decoder-only checkpoints (Llama/Mistral state-dict names), checked against config.json.
 * Tied checkpoints: safetensors drops `lm_head.weight`, `.bin` keeps it as an alias of the embedding;
 * both end up without it, the head being `model.embed_tokens.weight`.
 */
import type { CausalConfig } from './causal-config.js';
import { modelError } from './errors.js';
import { findWeightFiles, loadTensorRecords } from './weight-files.js';
import { checkExpectedTensors, storeOverRecords, type WeightStore } from './weight-store.js';

/** Every tensor a LlamaForCausalLM / MistralForCausalLM state dict holds, name -> shape (`[out, in]` for linears). */
export function expectedCausalTensors(config: CausalConfig): ReadonlyMap<string, readonly number[]> {
  const { hiddenSize: d, headDim, numHeads, numKvHeads, intermediateSize, vocabSize } = config;
  const tensors = new Map<string, readonly number[]>([['model.embed_tokens.weight', [vocabSize, d]]]);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    tensors.set(`${prefix}.input_layernorm.weight`, [d]);
    tensors.set(`${prefix}.post_attention_layernorm.weight`, [d]);
    const projections: [string, number, number][] = [
      ['q_proj', numHeads * headDim, d],
      ['k_proj', numKvHeads * headDim, d],
      ['v_proj', numKvHeads * headDim, d],
      ['o_proj', d, numHeads * headDim],
    ];
    for (const [name, out, input] of projections) {
      tensors.set(`${prefix}.self_attn.${name}.weight`, [out, input]);
      if (config.attentionBias) tensors.set(`${prefix}.self_attn.${name}.bias`, [out]);
    }
    tensors.set(`${prefix}.mlp.gate_proj.weight`, [intermediateSize, d]);
    tensors.set(`${prefix}.mlp.up_proj.weight`, [intermediateSize, d]);
    tensors.set(`${prefix}.mlp.down_proj.weight`, [d, intermediateSize]);
  }
  tensors.set('model.norm.weight', [d]);
  if (!config.tieWordEmbeddings) tensors.set('lm_head.weight', [vocabSize, d]);
  return tensors;
}

const LAYER = /^model\.layers\.(\d+)\./;

/** Opens the weights of the decoder-only checkpoint in `dir` (safetensors, sharded, or `.bin`) and checks them. */
export async function openCausalWeights(dir: string, config: CausalConfig): Promise<WeightStore> {
  const weightFiles = await findWeightFiles(dir);
  const records = await loadTensorRecords(weightFiles);
  if (config.tieWordEmbeddings) records.delete('lm_head.weight');
  // Checked before the expected list is built from config.json, so a huge num_hidden_layers fails fast.
  const layers = new Set([...records.keys()].map((name) => LAYER.exec(name)?.[1]).filter((index) => index !== undefined));
  if (layers.size !== config.numLayers) {
    throw modelError('MODEL_CONFIG_INVALID', 'config.json disagrees with the weights', {
      file: weightFiles.source,
      field: 'num_hidden_layers',
      given: String(config.numLayers),
      expected: `${layers.size} (the layers in the weights)`,
    });
  }
  checkExpectedTensors(records, expectedCausalTensors(config), weightFiles.source);
  return storeOverRecords(records, weightFiles.source);
}
