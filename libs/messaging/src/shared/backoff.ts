export interface BackoffOptions {
  /** Delay before the first retry (ms). */
  readonly initialDelayMs: number;
  /** Upper bound for any single delay (ms). */
  readonly maxDelayMs: number;
  /** Growth factor per attempt. */
  readonly multiplier: number;
  /**
   * Fraction of the delay randomised (0 = none, 0.2 = ±20 %) so that many consumers failing at once
   * do not retry in lock-step.
   */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 200, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 };

/**
 * Exponential backoff: the delay after failed attempt `attempt` (1-based) is
 * initial × multiplier^(attempt−1), capped at maxDelayMs, then jittered within ±jitter.
 * `random` is injectable so the computation stays a pure function in tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (attempt - 1));
  const spread = base * Math.min(Math.max(options.jitter, 0), 1);
  const delay = base - spread + 2 * spread * random();
  return Math.max(0, Math.round(Math.min(delay, options.maxDelayMs)));
}

/**
 * A sleep that ends early when `signal` aborts; resolves `false` if it was cut short. Used for
 * retries and idle polling so that stop() never waits for a full backoff.
 */
export function interruptibleSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
