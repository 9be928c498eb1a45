import { backoffDelay, interruptibleSleep } from './backoff';

const noJitter = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('grows exponentially from the initial delay', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, noJitter))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, even for large attempts', () => {
    expect(backoffDelay(5, noJitter)).toBe(1_000);
    expect(backoffDelay(500, noJitter)).toBe(1_000);
  });

  it('spreads the delay within ±jitter', () => {
    const opts = { ...noJitter, jitter: 0.2 };
    expect(backoffDelay(2, opts, () => 0)).toBe(160);
    expect(backoffDelay(2, opts, () => 1)).toBe(240);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(200);
    // Jitter never pushes past the cap.
    expect(backoffDelay(9, opts, () => 1)).toBe(1_000);
  });

  it('refuses attempt numbers below 1', () => {
    expect(() => backoffDelay(0, noJitter)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, noJitter)).toThrow(RangeError);
  });
});

describe('interruptibleSleep', () => {
  it('ends early and reports it when aborted', async () => {
    const controller = new AbortController();
    const sleeping = interruptibleSleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBe(false);
  });

  it('reports a full sleep', async () => {
    await expect(interruptibleSleep(1)).resolves.toBe(true);
  });
});
