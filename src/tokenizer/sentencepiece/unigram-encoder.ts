// Our port of SentencePiece's unigram encoder (unigram_model.cc Model::EncodeOptimized, the default
// since 0.1.9x) and of its merging of adjacent unknown pieces (PopulateSentencePieceText).
// Used where the WebAssembly SentencePiece cannot go: models that come only as tokenizer.json.
import { SentencePieceNormalizer, utf8Length } from './normalizer.js';
import { PieceTrie } from './piece-trie.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { PieceType, type UnigramModel } from './unigram-model.js';
import { runToEnd, type Steps } from '../time-slices.js';
import type { SteppedPieceEncoder } from './piece-encoder.js';

/** SentencePiece's kUnkPenalty: an unknown character scores this much below the worst piece. */
const UNKNOWN_PENALTY = 10;

/** Bytes of normalized text per step of {@link UnigramEncoder.encodeSteps}: well under a millisecond of work. */
const STEP_BYTES = 16_384;

/** Best-path search over the pieces of a unigram model. */
export class UnigramEncoder implements SteppedPieceEncoder {
  private readonly normalizer: SentencePieceNormalizer;
  private readonly trie: PieceTrie;
  private readonly scores: Float32Array;
  private readonly unkId: number;
  private readonly unknownScore: number;
  private readonly userDefined: ReadonlySet<number>;
  private readonly maxScore: number;
  private readonly utf8 = new TextEncoder();

  constructor(model: UnigramModel, file: string) {
    this.normalizer = new SentencePieceNormalizer(model.normalizer, PrecompiledCharsmap.parse(model.normalizer.precompiledCharsmap, file));
    const entries: Array<[Uint8Array, number]> = [];
    const userDefined = new Set<number>();
    let minScore = Infinity;
    let maxScore = -Infinity;
    model.pieces.forEach((piece, id) => {
      const type = model.types[id];
      if (type === PieceType.normal) {
        minScore = Math.min(minScore, model.scores[id] ?? 0);
        maxScore = Math.max(maxScore, model.scores[id] ?? 0);
      }
      if (type === PieceType.userDefined) userDefined.add(id);
      if (type === PieceType.normal || type === PieceType.userDefined) entries.push([this.utf8.encode(piece), id]);
    });
    this.userDefined = userDefined;
    this.maxScore = maxScore;
    this.trie = new PieceTrie(entries);
    this.scores = model.scores;
    this.unkId = model.unkId;
    this.unknownScore = Math.fround(minScore - UNKNOWN_PENALTY);
  }

  /** SentencePiece EncodeAsIds: normalize, best path, adjacent unknowns merged into one `<unk>`. */
  encodeIds(text: string): number[] {
    return runToEnd(this.encodeSteps(text));
  }

  /** {@link encodeIds} in steps of {@link STEP_BYTES} positions; the work is linear in the text's length. */
  *encodeSteps(text: string): Steps<number[]> {
    const lattice = yield* this.bestPath(text);
    return lattice === undefined ? [] : yield* this.backtrackIds(lattice);
  }

  /**
   * SentencePiece EncodeAsPieces (`encode(text, out_type=str)`): each piece's normalized text; a merged run of
   * unknown characters is one piece holding those characters (what MarianTokenizer looks up in its vocab.json).
   */
  *encodePieceSteps(text: string): Steps<string[]> {
    const lattice = yield* this.bestPath(text);
    return lattice === undefined ? [] : yield* this.backtrackPieces(lattice);
  }

  // The best segmentation of the normalized text, read back from its end by the backtracks; undefined for no text.
  private *bestPath(text: string): Steps<Lattice | undefined> {
    const normalized = yield* this.normalizer.normalizeSteps(this.utf8.encode(text));
    const size = normalized.length;
    if (size === 0) return undefined;
    let pauseAt = STEP_BYTES;
    // Every stored score is float32 (Math.fround), so a Float32Array holds them exactly in half the memory.
    const bestScore = new Float32Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1);
    for (let start = 0; start < size;) {
      if (start >= pauseAt) {
        yield;
        pauseAt = start + STEP_BYTES;
      }
      const charLength = Math.min(utf8Length(normalized[start] ?? 0) || 1, size - start);
      const scoreSoFar = bestScore[start] ?? 0;
      let hasSingleChar = false;
      let node = 0;
      for (let position = start; position < size; position += 1) {
        node = this.trie.child(node, normalized[position] ?? 0);
        if (node < 0) break;
        const id = this.trie.valueAt(node);
        if (id < 0) continue;
        const end = position + 1;
        // Scores are float32 (as in SentencePiece); the candidate is compared in double, then stored as float32.
        const candidate = this.pieceScore(id, end - start) + scoreSoFar;
        if ((startsAt[end] ?? 0) === -1 || candidate > (bestScore[end] ?? 0)) {
          bestScore[end] = Math.fround(candidate);
          startsAt[end] = start;
          bestId[end] = id;
        }
        if (end - start === charLength) hasSingleChar = true;
      }
      if (!hasSingleChar) {
        const end = start + charLength;
        const candidate = Math.fround(this.unknownScore + scoreSoFar);
        if ((startsAt[end] ?? 0) === -1 || candidate > (bestScore[end] ?? 0)) {
          bestScore[end] = candidate;
          startsAt[end] = start;
          bestId[end] = this.unkId;
        }
      }
      start += charLength;
    }
    return { normalized, startsAt, bestId };
  }

  /** A user-defined piece always wins over the pieces it could be split into (SentencePiece's bonus). */
  private pieceScore(id: number, bytes: number): number {
    if (this.userDefined.size > 0 && this.userDefined.has(id)) return Math.fround(bytes * this.maxScore) - 0.1;
    return this.scores[id] ?? 0;
  }

  private *backtrackIds({ startsAt, bestId, normalized }: Lattice): Steps<number[]> {
    const reversed: number[] = [];
    let pauseAt = normalized.length - STEP_BYTES;
    for (let end = normalized.length; end > 0; end = startsAt[end] ?? 0) {
      if (end <= pauseAt) {
        yield;
        pauseAt = end - STEP_BYTES;
      }
      const id = bestId[end] ?? this.unkId;
      if (id === this.unkId && reversed[reversed.length - 1] === this.unkId) continue;
      reversed.push(id);
    }
    return reversed.reverse();
  }

  private *backtrackPieces({ startsAt, bestId, normalized }: Lattice): Steps<string[]> {
    const decoder = new TextDecoder();
    const reversed: string[] = [];
    let pauseAt = normalized.length - STEP_BYTES;
    let previousUnknown = false;
    // Where the piece pushed last ends; a run of unknowns grows leftwards from it.
    let pieceEnd = 0;
    for (let end = normalized.length; end > 0; end = startsAt[end] ?? 0) {
      if (end <= pauseAt) {
        yield;
        pauseAt = end - STEP_BYTES;
      }
      const unknown = (bestId[end] ?? this.unkId) === this.unkId;
      const start = startsAt[end] ?? 0;
      if (unknown && previousUnknown) {
        reversed[reversed.length - 1] = decoder.decode(normalized.subarray(start, pieceEnd));
        continue;
      }
      pieceEnd = end;
      previousUnknown = unknown;
      reversed.push(decoder.decode(normalized.subarray(start, end)));
    }
    return reversed.reverse();
  }
}

/** The search's result: for each end position, where its best last piece starts and which piece it is. */
interface Lattice {
  readonly normalized: Uint8Array;
  readonly startsAt: Int32Array;
  readonly bestId: Int32Array;
}
