import { modelError } from './errors.js';
import type { TensorRecord } from './tensor-record.js';

/** Reads the tensor index of a PyTorch zip checkpoint (pytorch_model.bin). */
export async function readTorchBinFile(file: string): Promise<TensorRecord[]> {
  throw modelError('MODEL_UNSUPPORTED', 'PyTorch .bin checkpoints are not readable yet; convert to safetensors', { file });
}
