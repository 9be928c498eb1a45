export interface EventuallyOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Pause between attempts (ms). */
  intervalMs?: number;
}

/**
 * Polls `assertion` until it stops throwing, or fails with its last error once the deadline passes.
 * Use instead of sleep-then-assert: fast when the system is fast, patient when it is slow.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 50 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  const wrapped = new Error(`condition not met within ${timeoutMs} ms: ${message}`);
  if (lastError instanceof Error && lastError.stack) wrapped.stack = `${wrapped.message}\n${lastError.stack}`;
  throw wrapped;
}
