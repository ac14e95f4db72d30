// Reads spiece.model (a serialized sentencepiece.ModelProto) into a UnigramModel, and writes the
// variant HF's T5Tokenizer uses for `legacy: false` (normalizer_spec.add_dummy_prefix = false).
// Field numbers: sentencepiece_model.proto in google/sentencepiece.
import type { LlmDeployError } from '../../config/index.js';
import { modelInvalid, modelUnsupported } from '../errors.js';
import { encodeVarint, readFields, readFloat32, writeFields, type WireField } from './protobuf-wire.js';
import { PieceType, type NormalizerSpec, type UnigramModel } from './unigram-model.js';

const MODEL = { pieces: 1, trainerSpec: 2, normalizerSpec: 3 } as const;
const PIECE = { piece: 1, score: 2, type: 3 } as const;
const TRAINER = { modelType: 3, treatWhitespaceAsSuffix: 24, byteFallback: 35, unkId: 40 } as const;
const NORMALIZER = { precompiledCharsmap: 2, addDummyPrefix: 3, removeExtraWhitespaces: 4, escapeWhitespaces: 5 } as const;
const UNIGRAM_MODEL_TYPE = 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function varintOf(fields: readonly WireField[], number: number): number | undefined {
  let found: number | undefined;
  for (const field of fields) if (field.number === number && field.wireType === 0) found = field.value;
  return found;
}

function bytesOf(fields: readonly WireField[], number: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const field of fields) if (field.number === number && field.wireType === 2) found = field.bytes;
  return found;
}

/** Reads one SentencePiece message; written out by hand because a model has 32k+ of them. */
function readPiece(bytes: Uint8Array, id: number, file: string): { piece: string; score: number; type: number } {
  let piece: string | undefined;
  let score = 0;
  let type: number = PieceType.normal;
  let position = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (position < bytes.length) {
    const tag = bytes[position] ?? 0;
    if (tag === 0x0a && position + 1 < bytes.length && (bytes[position + 1] ?? 0) < 0x80) {
      const end = position + 2 + (bytes[position + 1] ?? 0);
      if (end > bytes.length) break;
      piece = utf8.decode(bytes.subarray(position + 2, end));
      position = end;
    } else if (tag === 0x15 && position + 5 <= bytes.length) {
      score = view.getFloat32(position + 1, true);
      position += 5;
    } else if (tag === 0x18 && position + 1 < bytes.length && (bytes[position + 1] ?? 0) < 0x80) {
      type = bytes[position + 1] ?? 0;
      position += 2;
    } else {
      return readPieceSlowly(bytes, id, file);
    }
  }
  if (piece === undefined || position !== bytes.length) return readPieceSlowly(bytes, id, file);
  if (type < PieceType.normal || type > PieceType.byte) throw modelInvalid(file, `piece ${id} has unknown type ${type}`);
  return { piece, score, type };
}

/** The general path for pieces with long text or unusual fields. */
function readPieceSlowly(bytes: Uint8Array, id: number, file: string): { piece: string; score: number; type: number } {
  const fields = readFields(bytes);
  const pieceBytes = bytesOf(fields, PIECE.piece);
  if (pieceBytes === undefined) throw modelInvalid(file, `piece ${id} has no text`);
  let score = 0;
  for (const field of fields) if (field.number === PIECE.score && field.wireType === 5) score = readFloat32(field.bytes);
  const type = varintOf(fields, PIECE.type) ?? PieceType.normal;
  if (type < PieceType.normal || type > PieceType.byte) throw modelInvalid(file, `piece ${id} has unknown type ${type}`);
  return { piece: utf8.decode(pieceBytes), score, type };
}

function readNormalizer(bytes: Uint8Array | undefined): NormalizerSpec {
  const fields = bytes === undefined ? [] : readFields(bytes);
  const flag = (number: number): boolean => (varintOf(fields, number) ?? 1) !== 0;
  return {
    precompiledCharsmap: bytesOf(fields, NORMALIZER.precompiledCharsmap) ?? new Uint8Array(0),
    addDummyPrefix: flag(NORMALIZER.addDummyPrefix),
    removeExtraWhitespaces: flag(NORMALIZER.removeExtraWhitespaces),
    escapeWhitespaces: flag(NORMALIZER.escapeWhitespaces),
  };
}

function checkTrainerSpec(fields: readonly WireField[], file: string): number {
  const modelType = varintOf(fields, TRAINER.modelType) ?? UNIGRAM_MODEL_TYPE;
  if (modelType !== UNIGRAM_MODEL_TYPE) {
    throw modelUnsupported(file, { field: 'trainer_spec.model_type', given: String(modelType), expected: '1 (UNIGRAM), as T5 uses' });
  }
  for (const [name, number] of [
    ['treat_whitespace_as_suffix', TRAINER.treatWhitespaceAsSuffix],
    ['byte_fallback', TRAINER.byteFallback],
  ] as const) {
    if ((varintOf(fields, number) ?? 0) !== 0) {
      throw modelUnsupported(file, { field: `trainer_spec.${name}`, given: 'true', expected: 'false, as in T5 models' });
    }
  }
  return varintOf(fields, TRAINER.unkId) ?? 0;
}

/**
 * Parses the bytes of a spiece.model file (`file` names it in errors).
 * @throws TOKENIZER_MODEL_INVALID for bytes that are not a SentencePiece model; TOKENIZER_MODEL_UNSUPPORTED for non-unigram models.
 */
export function parseSpieceModel(bytes: Uint8Array, file: string): UnigramModel {
  let fields: WireField[];
  try {
    fields = readFields(bytes);
  } catch (error) {
    throw withFile(error, file);
  }
  const pieces: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  for (const field of fields) {
    if (field.number !== MODEL.pieces || field.wireType !== 2) continue;
    const piece = readPieceOrFail(field.bytes, pieces.length, file);
    pieces.push(piece.piece);
    scores.push(piece.score);
    types.push(piece.type);
  }
  if (pieces.length === 0) throw modelInvalid(file, 'not a SentencePiece model (no pieces)', { expected: 'a sentencepiece ModelProto' });
  const trainer = bytesOf(fields, MODEL.trainerSpec);
  const unkId = checkTrainerSpec(trainer === undefined ? [] : readFields(trainer), file);
  if (types[unkId] !== PieceType.unknown) {
    throw modelInvalid(file, 'the unknown piece is not where trainer_spec.unk_id says', { given: String(unkId) });
  }
  return {
    pieces,
    scores: Float32Array.from(scores),
    types: Uint8Array.from(types),
    unkId,
    normalizer: readNormalizer(bytesOf(fields, MODEL.normalizerSpec)),
  };
}

function readPieceOrFail(bytes: Uint8Array, id: number, file: string): { piece: string; score: number; type: number } {
  try {
    return readPiece(bytes, id, file);
  } catch (error) {
    throw withFile(error, file);
  }
}

function withFile(error: unknown, file: string): LlmDeployError {
  return modelInvalid(file, 'not a SentencePiece model (cannot parse it)', { expected: 'a sentencepiece ModelProto', cause: error });
}

/** The same model with `normalizer_spec.add_dummy_prefix = false`, as HF T5Tokenizer builds it when `legacy` is false. */
export function withoutDummyPrefix(bytes: Uint8Array): Uint8Array {
  const fields = readFields(bytes);
  const rewritten = fields.map((field): WireField => {
    if (field.number !== MODEL.normalizerSpec || field.wireType !== 2) return field;
    const inner = readFields(field.bytes).filter((entry) => entry.number !== NORMALIZER.addDummyPrefix);
    inner.push({ number: NORMALIZER.addDummyPrefix, wireType: 0, value: 0, bytes: encodeVarint(0) });
    return { number: field.number, wireType: 2, bytes: writeFields(inner) };
  });
  return writeFields(rewritten);
}
