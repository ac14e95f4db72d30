/**
 * Weights of decoder-only checkpoints under one set of canonical (Llama-style) names, checked against
 * config.json, whatever the family's own layout:
 * - tied checkpoints: safetensors drops `lm_head.weight`, `.bin` keeps it as an alias of the embedding;
 *   both end up without it, the head being `model.embed_tokens.weight`;
 * - Phi: `self_attn.dense` is `o_proj`, `final_layernorm` is `model.norm`; the fused 4.36
 *   `query_key_value` rows are ordered (head, {q, k, v}, head_dim) and are split into q/k/v_proj;
 * - GPT-2: Conv1D weights are stored `[in, out]` and are transposed; `c_attn` splits into q | k | v columns.
 */
import type { CausalConfig } from './causal-config.js';
import { modelError } from './errors.js';
import { splitAxis, transpose2d } from './fastertransformer/tensor-ops.js';
import type { TensorRecord } from './tensor-record.js';
import { findWeightFiles, loadTensorRecords } from './weight-files.js';
import { checkExpectedTensors, storeOverRecords, type WeightStore } from './weight-store.js';

/** Every canonical tensor a decoder-only checkpoint must hold, name -> shape (`[out, in]` for linears). */
export function expectedCausalTensors(config: CausalConfig): ReadonlyMap<string, readonly number[]> {
  const { hiddenSize: d, headDim, numHeads, numKvHeads, intermediateSize: inner, vocabSize, style } = config;
  const tensors = new Map<string, readonly number[]>([['model.embed_tokens.weight', [vocabSize, d]]]);
  if (style.learnedPositions) tensors.set('model.embed_positions.weight', [config.maxPositionEmbeddings, d]);
  const norm = (name: string): void => {
    tensors.set(`${name}.weight`, [d]);
    if (style.norm === 'layer') tensors.set(`${name}.bias`, [d]);
  };
  const linear = (name: string, out: number, input: number, bias: boolean): void => {
    tensors.set(`${name}.weight`, [out, input]);
    if (bias) tensors.set(`${name}.bias`, [out]);
  };
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    norm(`${prefix}.input_layernorm`);
    if (!style.parallel) norm(`${prefix}.post_attention_layernorm`);
    linear(`${prefix}.self_attn.q_proj`, numHeads * headDim, d, config.attentionBias);
    linear(`${prefix}.self_attn.k_proj`, numKvHeads * headDim, d, config.attentionBias);
    linear(`${prefix}.self_attn.v_proj`, numKvHeads * headDim, d, config.attentionBias);
    linear(`${prefix}.self_attn.o_proj`, d, numHeads * headDim, config.attentionBias);
    if (style.mlp === 'swiglu') {
      for (const name of ['gate_proj', 'up_proj']) linear(`${prefix}.mlp.${name}`, inner, d, false);
      linear(`${prefix}.mlp.down_proj`, d, inner, false);
    } else {
      linear(`${prefix}.mlp.fc1`, inner, d, true);
      linear(`${prefix}.mlp.fc2`, d, inner, true);
    }
  }
  norm('model.norm');
  if (!config.tieWordEmbeddings) tensors.set('lm_head.weight', [vocabSize, d]);
  return tensors;
}

/** A canonical tensor: its facts for the checks, and how to read it from the stored ones. */
interface CanonicalTensor extends Pick<TensorRecord, 'shape' | 'dtype' | 'file'> {
  read(): Float32Array;
}

type Canonical = Map<string, CanonicalTensor>;

const LAYER = /^model\.layers\.(\d+)\./;

/** Opens the weights of the decoder-only checkpoint in `dir` (safetensors, sharded, or `.bin`) and checks them. */
export async function openCausalWeights(dir: string, config: CausalConfig): Promise<WeightStore> {
  const weightFiles = await findWeightFiles(dir);
  const records = await loadTensorRecords(weightFiles);
  const stored = storeOverRecords(records, weightFiles.source);
  const tensors: Canonical = new Map(
    [...records].map(([name, record]) => [
      name,
      { shape: record.shape, dtype: record.dtype, file: record.file, read: () => stored.read(name) },
    ]),
  );
  const canonical = LAYOUTS[config.modelType]?.(tensors, config) ?? tensors;
  if (config.tieWordEmbeddings) canonical.delete('lm_head.weight');
  // Checked before the expected list is built from config.json, so a huge num_hidden_layers fails fast.
  const layers = new Set([...canonical.keys()].map((name) => LAYER.exec(name)?.[1]).filter((index) => index !== undefined));
  if (layers.size !== config.numLayers) {
    throw modelError('MODEL_CONFIG_INVALID', 'config.json disagrees with the weights', {
      file: weightFiles.source,
      field: 'num_hidden_layers',
      given: String(config.numLayers),
      expected: `${layers.size} (the layers in the weights)`,
    });
  }
  checkExpectedTensors(canonical, expectedCausalTensors(config), weightFiles.source);
  const lookup = (name: string): CanonicalTensor => {
    const tensor = canonical.get(name);
    if (tensor === undefined)
      throw modelError('MODEL_TENSOR_MISSING', 'no such tensor in the checkpoint', { file: weightFiles.source, field: name });
    return tensor;
  };
  const names = Object.freeze([...canonical.keys()]);
  return {
    source: weightFiles.source,
    names: () => names,
    has: (name) => canonical.has(name),
    shape: (name) => lookup(name).shape,
    read: (name) => lookup(name).read(),
    close: () => stored.close(),
  };
}

/** `source` renamed (prefix replaced) for every stored name that starts with `from`. */
function renamePrefix(tensors: Canonical, from: string, to: string): void {
  for (const [name, tensor] of [...tensors]) {
    if (!name.startsWith(from)) continue;
    tensors.delete(name);
    tensors.set(to + name.slice(from.length), tensor);
  }
}

/** Replaces `name` by `parts` derived tensors `target(i)` of `shape`, reading slice i of `split(data)`. */
function splitInto(
  tensors: Canonical,
  name: string,
  parts: { readonly targets: readonly string[]; readonly shape: readonly number[]; readonly split: (data: Float32Array) => Float32Array[] },
): void {
  const source = tensors.get(name);
  if (source === undefined) return;
  tensors.delete(name);
  parts.targets.forEach((target, index) => {
    tensors.set(target, { ...source, shape: parts.shape, read: () => parts.split(source.read())[index] as Float32Array });
  });
}

/** A Conv1D `[in, out]` weight as a Linear `[out, in]` one. */
function transposed(tensors: Canonical, name: string, target: string): void {
  const source = tensors.get(name);
  if (source === undefined) return;
  tensors.delete(name);
  const [rows = 0, columns = 0] = source.shape;
  tensors.set(target, { ...source, shape: [columns, rows], read: () => transpose2d(source.read(), rows, columns) });
}

function phiLayout(tensors: Canonical, config: CausalConfig): Canonical {
  renamePrefix(tensors, 'model.final_layernorm.', 'model.norm.');
  const { numHeads: heads, headDim, hiddenSize: d } = config;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}.self_attn`;
    renamePrefix(tensors, `${prefix}.dense.`, `${prefix}.o_proj.`);
    for (const kind of ['weight', 'bias'] as const) {
      const inner = kind === 'weight' ? headDim * d : headDim;
      splitInto(tensors, `${prefix}.query_key_value.${kind}`, {
        targets: ['q_proj', 'k_proj', 'v_proj'].map((part) => `${prefix}.${part}.${kind}`),
        shape: kind === 'weight' ? [heads * headDim, d] : [heads * headDim],
        split: (data) => splitAxis(data, [heads, 3, inner], 1, 3),
      });
    }
  }
  return tensors;
}

function gpt2Layout(tensors: Canonical, config: CausalConfig): Canonical {
  renamePrefix(tensors, 'transformer.wte.', 'model.embed_tokens.');
  renamePrefix(tensors, 'transformer.wpe.', 'model.embed_positions.');
  renamePrefix(tensors, 'transformer.ln_f.', 'model.norm.');
  const d = config.hiddenSize;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const from = `transformer.h.${layer}`;
    const to = `model.layers.${layer}`;
    renamePrefix(tensors, `${from}.ln_1.`, `${to}.input_layernorm.`);
    renamePrefix(tensors, `${from}.ln_2.`, `${to}.post_attention_layernorm.`);
    const targets = (kind: string): string[] => ['q_proj', 'k_proj', 'v_proj'].map((part) => `${to}.self_attn.${part}.${kind}`);
    splitInto(tensors, `${from}.attn.c_attn.weight`, {
      targets: targets('weight'),
      shape: [d, d],
      split: (data) => splitAxis(data, [d, 3 * d], 1, 3).map((part) => transpose2d(part, d, d)),
    });
    splitInto(tensors, `${from}.attn.c_attn.bias`, {
      targets: targets('bias'),
      shape: [d],
      split: (data) => splitAxis(data, [3 * d], 0, 3),
    });
    const moves: [string, string][] = [
      ['attn.c_proj', 'self_attn.o_proj'],
      ['mlp.c_fc', 'mlp.fc1'],
      ['mlp.c_proj', 'mlp.fc2'],
    ];
    for (const [source, target] of moves) {
      transposed(tensors, `${from}.${source}.weight`, `${to}.${target}.weight`);
      renamePrefix(tensors, `${from}.${source}.bias`, `${to}.${target}.bias`);
    }
    // Old GPT-2 checkpoints carry the causal-mask buffers; transformers ignores them.
    for (const buffer of ['attn.bias', 'attn.masked_bias']) tensors.delete(`${from}.${buffer}`);
  }
  return tensors;
}

const LAYOUTS: Readonly<Record<string, (tensors: Canonical, config: CausalConfig) => Canonical>> = {
  phi: phiLayout,
  gpt2: gpt2Layout,
};
