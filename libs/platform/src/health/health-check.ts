/** One dependency the service needs to serve traffic. `check` rejects (with a short reason) when down. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
  /** Releases the check's own connections at shutdown. */
  close?(): Promise<void>;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Shares one probe among concurrent callers and reuses its outcome for `ttlMs`, so a burst of probes
 * (several kubelets, a load balancer) costs one round trip to the dependency.
 */
export function cachedCheck(check: HealthCheck, ttlMs: number): HealthCheck {
  let last: { at: number; outcome: Promise<void> } | undefined;
  return {
    name: check.name,
    check() {
      const now = Date.now();
      if (!last || now - last.at >= ttlMs) {
        const outcome = check.check();
        last = { at: now, outcome };
        // A failed probe is remembered too, but not longer than ttl: retried on the next probe after it.
        outcome.catch(() => undefined);
      }
      return last.outcome;
    },
    ...(check.close ? { close: () => check.close?.() ?? Promise.resolve() } : {}),
  };
}
