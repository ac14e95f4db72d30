/** How often and how patiently to retry one transfer. */
export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time, with jitter. */
  readonly initialDelayMs: number;
}

/** Runs `task` until it succeeds or the attempts are spent; rethrows the last error. */
export async function withRetries<T>(
  task: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  isRetryable: (error: unknown) => boolean = () => true,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt += 1) {
    try {
      return await task(attempt);
    } catch (error) {
      lastError = error;
      if (attempt === policy.attempts || !isRetryable(error)) break;
      const delayMs = policy.initialDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.25);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw lastError;
}
