/**
 * Stop sequences on streamed text: holds back a tail that could still become a stop string, and
 * cuts the text where the first stop string starts (OpenAI semantics: the stop is not returned).
 */

/** One stream's scanner. */
export class StopScanner {
  private readonly stops: readonly string[];
  private pending = '';
  private stopped = false;

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((stop) => stop.length > 0);
  }

  get hasStopped(): boolean {
    return this.stopped;
  }

  /** Adds a text delta; returns the part that is safe to send now. */
  push(delta: string): string {
    if (this.stopped) return '';
    this.pending += delta;
    const hit = firstStopIndex(this.pending, this.stops);
    if (hit >= 0) {
      this.stopped = true;
      const out = this.pending.slice(0, hit);
      this.pending = '';
      return out;
    }
    const keep = heldTailLength(this.pending, this.stops);
    const out = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return out;
  }

  /** At the end of the stream: the held tail (it never became a stop string). */
  flush(): string {
    const out = this.stopped ? '' : this.pending;
    this.pending = '';
    return out;
  }
}

/** Index where the earliest stop string starts in `text`, or -1. */
export function firstStopIndex(text: string, stops: readonly string[]): number {
  let best = -1;
  for (const stop of stops) {
    if (stop.length === 0) continue;
    const index = text.indexOf(stop);
    if (index >= 0 && (best < 0 || index < best)) best = index;
  }
  return best;
}

/** `text` up to (not including) the first stop string. */
export function cutAtStop(text: string, stops: readonly string[]): string {
  const index = firstStopIndex(text, stops);
  return index < 0 ? text : text.slice(0, index);
}

/** Length of the longest tail of `text` that is a proper prefix of a stop string. */
function heldTailLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length -= 1) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
