// Long tokenizations run as generators that pause every few thousand bytes of work: run to the end
// at once (sync `encode`), or in time slices with the event loop free in between (`encodeAsync`).
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Work that pauses (yields nothing) between bounded steps and returns its result at the end. */
export type Steps<T> = Generator<void, T, void>;

/** Runs all steps at once. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/**
 * Runs the steps in slices of about `sliceMs` of work; between slices the event loop runs (I/O
 * callbacks such as other requests come first: setImmediate callbacks run after the poll phase).
 * @see https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick
 */
export async function runInSlices<T>(steps: Steps<T>, sliceMs: number): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
