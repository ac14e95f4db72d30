import { setTimeout as sleep } from 'node:timers/promises';
import { KubeRequestError } from './client.js';

/** Statuses worth another try: conflicts, throttling, server errors and no answer at all. */
const RETRYABLE = new Set([0, 409, 429, 500, 502, 503, 504]);

/** Options for {@link withRetries}. */
export interface RetryOptions {
  readonly attempts?: number;
  /** First wait; doubled after each failure. */
  readonly initialDelayMs?: number;
  readonly onRetry?: (message: string) => void;
}

/** Runs a Kubernetes call, retrying retryable failures with exponential backoff. */
export async function withRetries<T>(what: string, work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  let delayMs = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof KubeRequestError) || !RETRYABLE.has(error.status) || attempt >= attempts) throw error;
      options.onRetry?.(
        `${what}: ${error.status === 0 ? 'no answer' : `HTTP ${error.status}`}; retrying in ${delayMs} ms (attempt ${attempt + 1}/${attempts})`,
      );
      await sleep(delayMs);
      delayMs *= 2;
    }
  }
}
