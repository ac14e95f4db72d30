// A byte trie over the vocabulary for the unigram search: all pieces that start at a position, in
// order of length. Transitions live in one open-addressing hash table (fast, and small for 32k pieces).

const EMPTY = -1;

/** Byte trie mapping UTF-8 piece text to piece ids. */
export class PieceTrie {
  private readonly keys: Int32Array;
  private readonly children: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  /** Piece id ending at each node, or -1. */
  private readonly values: Int32Array;

  /** Builds the trie from `[utf8, id]` entries; the first entry wins when two pieces are equal. */
  constructor(entries: ReadonlyArray<readonly [Uint8Array, number]>) {
    const totalBytes = entries.reduce((sum, [bytes]) => sum + bytes.length, 0);
    const bits = Math.max(4, Math.ceil(Math.log2(totalBytes * 2 + 1)));
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.keys = new Int32Array(1 << bits).fill(EMPTY);
    this.children = new Int32Array(1 << bits);
    this.values = new Int32Array(totalBytes + 1).fill(EMPTY);
    let nodes = 1;
    for (const [bytes, id] of entries) {
      let node = 0;
      for (const byte of bytes) {
        let next = this.child(node, byte);
        if (next === EMPTY) {
          next = nodes;
          nodes += 1;
          this.insert(node * 256 + byte, next);
        }
        node = next;
      }
      if (bytes.length > 0 && this.values[node] === EMPTY) this.values[node] = id;
    }
  }

  /** The node reached from `node` by `byte`, or -1. */
  child(node: number, byte: number): number {
    const key = node * 256 + byte;
    let slot = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const found = this.keys[slot] ?? EMPTY;
      if (found === key) return this.children[slot] ?? EMPTY;
      if (found === EMPTY) return EMPTY;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The piece id spelled by the path to `node`, or -1. */
  valueAt(node: number): number {
    return this.values[node] ?? EMPTY;
  }

  private insert(key: number, child: number): void {
    let slot = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (this.keys[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.keys[slot] = key;
    this.children[slot] = child;
  }
}
