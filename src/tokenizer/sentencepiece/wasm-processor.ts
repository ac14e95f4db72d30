// The only importer of @sctg/sentencepiece-js (the real SentencePiece compiled to WebAssembly), the
// reference our unigram port is tested against; serving uses the port (see from-spiece-model.ts for why).
// Imported lazily: the package is ~4 MB of JavaScript.
import { modelInvalid } from '../errors.js';
import type { PieceEncoder } from './piece-encoder.js';

/**
 * Loads a SentencePiece model (the bytes of a spiece.model) into its own WebAssembly instance.
 * @throws TOKENIZER_MODEL_INVALID when SentencePiece rejects the model.
 */
export async function loadWasmProcessor(modelBytes: Uint8Array, file: string): Promise<PieceEncoder> {
  const { SentencePieceProcessor } = await import('@sctg/sentencepiece-js');
  const processor = new SentencePieceProcessor();
  try {
    await processor.loadFromB64StringModel(Buffer.from(modelBytes).toString('base64'));
    // The wrapper ignores Load's status; a model SentencePiece rejected fails on first use, so probe it here.
    processor.encodeIds('a');
  } catch (error) {
    throw modelInvalid(file, 'SentencePiece could not load the model', { cause: error });
  }
  return { encodeIds: (text) => processor.encodeIds(text) };
}
