import {
  decisionBatchResultSchema,
  decisionQuerySchema,
  decisionSchema,
  MAX_BATCH_DECISIONS,
  type Decision,
  type DecisionQuery,
  type DecisionReason,
} from '@lienthong/contracts';
import CircuitBreaker from 'opossum';
import { type z } from 'zod';
import { ConsentRequestError } from './consent-request.error';

/** The answer for every decision the client could not get: the decision point is the only one who may permit. */
export const CONSENT_UNAVAILABLE: Readonly<Decision> = Object.freeze({
  decision: 'deny',
  reason: 'consent-unavailable',
  basis: [],
  obligations: [],
});

export type BreakerState = 'closed' | 'open' | 'half-open';
export type DecisionEndpoint = 'single' | 'batch';
/**
 * What became of one call: `ok`, `rejected` (a 4xx, thrown to the caller), a failure answered with
 * `consent-unavailable` (`timeout`, `connection`, `http-error`, `invalid-response`, `token`), or
 * `short-circuited` (the open circuit answered without calling).
 */
export type CallOutcome = 'ok' | 'rejected' | 'timeout' | 'connection' | 'http-error' | 'invalid-response' | 'token' | 'short-circuited';
type FailureCause = Exclude<CallOutcome, 'ok' | 'rejected' | 'short-circuited'>;

/** Hooks for metrics, every one optional. `prometheusConsentClientMetrics` binds them to prom-client. */
export interface ConsentClientMetrics {
  /** One call to the decision point (or one the open circuit short-circuited) and its duration. */
  call?(endpoint: DecisionEndpoint, outcome: CallOutcome, seconds: number): void;
  /** Decisions handed to the caller, by answer and reason (`consent-unavailable` when failed closed). */
  decided?(decision: Decision['decision'], reason: DecisionReason, count: number): void;
  breakerState?(state: BreakerState): void;
}

/** The few log lines the client writes. Fields never hold patient ids, facility codes or query values. */
export interface ConsentClientLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

const stderrLogger: ConsentClientLogger = {
  info: () => undefined,
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg, ...fields })}\n`),
};

/**
 * The circuit breaker (opossum). Within a rolling window of `windowMs`, once at least `volumeThreshold`
 * calls were made, the circuit opens when more than `errorThresholdPercentage` of them failed — with
 * every call failing, on the `volumeThreshold`-th failure. While open every decision is answered
 * `consent-unavailable` without a call; after `resetTimeoutMs` one trial call is let through
 * (half-open): success closes the circuit, failure opens it again. A 4xx is not a failure.
 */
export interface ConsentBreakerOptions {
  readonly volumeThreshold?: number;
  readonly errorThresholdPercentage?: number;
  readonly windowMs?: number;
  readonly resetTimeoutMs?: number;
}

export interface ConsentClientOptions {
  /** consent-service's origin, e.g. `http://consent-service:3004` (no trailing `/v1`). */
  readonly baseUrl: string;
  /** A bearer token with scope `lienthong/consent.decide`, asked for on every call (cache it in the provider). */
  readonly token: () => Promise<string>;
  /** Deadline for one call, token included (ms, default 300). Past it the call's decisions are `consent-unavailable`. */
  readonly timeoutMs?: number;
  readonly breaker?: ConsentBreakerOptions;
  readonly logger?: ConsentClientLogger;
  readonly metrics?: ConsentClientMetrics;
}

/** A call that produced no usable answer: answered with `consent-unavailable`, counted by the breaker. */
class Unavailable extends Error {
  constructor(
    readonly kind: FailureCause,
    readonly status?: number,
    readonly detail?: string,
  ) {
    super(`consent decision point unavailable: ${kind}`);
  }
}

type Call = { readonly endpoint: DecisionEndpoint; readonly body: unknown; readonly expected: number };

/**
 * Asks consent-service's decision point (`POST /v1/decisions`, `/v1/decisions/batch`) and **fails
 * closed**: a timeout, a refused connection, a 5xx, a response that breaks the contract, an unavailable
 * token or an open circuit each answer every asked decision with `CONSENT_UNAVAILABLE` (a deny) — these
 * never throw. A 4xx throws `ConsentRequestError`: the caller sent something wrong.
 *
 * HTTP goes through Node's fetch (undici, keep-alive pool shared by the process). Call `close()` at
 * shutdown to stop the breaker's timers.
 */
export class ConsentClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly logger: ConsentClientLogger;
  private readonly metrics: ConsentClientMetrics;
  private readonly breaker: CircuitBreaker<[Call], unknown>;

  constructor(private readonly options: ConsentClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 300;
    this.logger = options.logger ?? stderrLogger;
    this.metrics = options.metrics ?? {};
    const b = options.breaker ?? {};
    this.breaker = new CircuitBreaker((call: Call) => this.send(call), {
      timeout: false, // our own deadline aborts the request; opossum's would only stop waiting for it
      volumeThreshold: b.volumeThreshold ?? 10,
      errorThresholdPercentage: b.errorThresholdPercentage ?? 50,
      rollingCountTimeout: b.windowMs ?? 10_000,
      resetTimeout: b.resetTimeoutMs ?? 5_000,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // The service answered, so it is up: a caller's bad request neither trips nor keeps the circuit open.
      errorFilter: (error: unknown) => error instanceof ConsentRequestError,
    });
    const resetTimeoutMs = b.resetTimeoutMs ?? 5_000;
    this.breaker.on('open', () => {
      this.logger.warn('consent decision point failing: circuit open, answering deny (consent-unavailable) without asking', { resetTimeoutMs });
      this.metrics.breakerState?.('open');
    });
    this.breaker.on('halfOpen', () => this.metrics.breakerState?.('half-open'));
    this.breaker.on('close', () => {
      this.logger.info('consent decision point answering again: circuit closed');
      this.metrics.breakerState?.('closed');
    });
    this.metrics.breakerState?.('closed');
  }

  /** May `facilityCode` read `category` of the patient for `purpose` (at `at`, default now)? */
  async decide(query: DecisionQuery): Promise<Decision> {
    const [decision] = await this.ask({ endpoint: 'single', body: validQuery(query, []), expected: 1 });
    return decision ?? CONSENT_UNAVAILABLE;
  }

  /**
   * The same for many queries: answers in the order asked, sent in batches of `MAX_BATCH_DECISIONS`.
   * A batch that fails is answered `consent-unavailable` on its own; the others keep their answers.
   */
  async decideMany(queries: readonly DecisionQuery[]): Promise<Decision[]> {
    const valid = queries.map((q, i) => validQuery(q, ['queries', String(i)]));
    const batches: DecisionQuery[][] = [];
    for (let i = 0; i < valid.length; i += MAX_BATCH_DECISIONS) batches.push(valid.slice(i, i + MAX_BATCH_DECISIONS));
    const answers = await Promise.all(batches.map((batch) => this.ask({ endpoint: 'batch', body: { queries: batch }, expected: batch.length })));
    return answers.flat();
  }

  /** `closed`, `open` (answering deny without calling) or `half-open` (the next call is the trial). */
  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Stops the breaker's timers; decisions asked afterwards are `consent-unavailable`. */
  close(): void {
    this.breaker.shutdown();
  }

  private async ask(call: Call): Promise<Decision[]> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const decisions = (await this.breaker.fire(call)) as Decision[];
      this.metrics.call?.(call.endpoint, 'ok', seconds());
      this.count(decisions);
      return decisions;
    } catch (error) {
      if (error instanceof ConsentRequestError) {
        this.metrics.call?.(call.endpoint, 'rejected', seconds());
        throw error;
      }
      if (error instanceof Unavailable) {
        this.metrics.call?.(call.endpoint, error.kind, seconds());
        this.logger.warn('consent decision point unavailable: answering deny (consent-unavailable)', {
          endpoint: call.endpoint,
          decisions: call.expected,
          cause: error.kind,
          ...(error.status !== undefined && { status: error.status }),
          ...(error.detail !== undefined && { detail: error.detail }),
        });
      } else {
        // Open (EOPENBREAKER), half-open with its trial in flight, or closed (ESHUTDOWN).
        this.metrics.call?.(call.endpoint, 'short-circuited', seconds());
      }
      const denied = Array.from({ length: call.expected }, () => CONSENT_UNAVAILABLE);
      this.count(denied);
      return denied;
    }
  }

  /** One HTTP call under one deadline. Resolves with `expected` valid decisions or rejects (Unavailable / ConsentRequestError). */
  private async send({ endpoint, body, expected }: Call): Promise<Decision[]> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let token: string;
    try {
      token = await untilAborted(this.options.token(), signal);
    } catch (error) {
      throw signal.aborted ? new Unavailable('timeout') : new Unavailable('token', undefined, errorName(error));
    }
    let text: string;
    let status: number;
    try {
      const response = await fetch(`${this.baseUrl}/v1/decisions${endpoint === 'batch' ? '/batch' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        redirect: 'error',
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw signal.aborted ? new Unavailable('timeout') : new Unavailable('connection', undefined, errorName(error));
    }
    // 408 and 429 say "not now", not "you asked wrongly": an outage like a 5xx.
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw requestError(status, text);
    if (status < 200 || status >= 300) throw new Unavailable('http-error', status);
    const decisions = parseDecisions(endpoint, text);
    if (!decisions) throw new Unavailable('invalid-response', status);
    if (decisions.length !== expected) throw new Unavailable('invalid-response', status, `${decisions.length} decisions for ${expected} queries`);
    return decisions;
  }

  private count(decisions: readonly Decision[]): void {
    if (!this.metrics.decided) return;
    const counts = new Map<string, { decision: Decision['decision']; reason: DecisionReason; n: number }>();
    for (const d of decisions) {
      const key = `${d.decision}:${d.reason}`;
      const entry = counts.get(key);
      if (entry) entry.n += 1;
      else counts.set(key, { decision: d.decision, reason: d.reason, n: 1 });
    }
    for (const { decision, reason, n } of counts.values()) this.metrics.decided(decision, reason, n);
  }
}

/** Checks a query against the contract before it leaves: a bad one throws at once, like the service's 422 would. */
function validQuery(query: DecisionQuery, at: readonly string[]): DecisionQuery {
  const parsed = decisionQuerySchema.safeParse(query);
  if (parsed.success) return parsed.data;
  throw new ConsentRequestError(undefined, undefined, pointers(parsed.error, at), 'the query breaks the decision contract');
}

function pointers(error: z.ZodError, at: readonly string[]): string[] {
  return error.issues.map((issue) => toJsonPointer([...at, ...issue.path.map(String)]));
}

/** RFC 6901 pointer as a URI fragment (`#/queries/0/category`), as the services' problems name fields. */
function toJsonPointer(path: readonly string[]): string {
  return `#${path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

function parseDecisions(endpoint: DecisionEndpoint, text: string): Decision[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (endpoint === 'single') {
    const single = decisionSchema.safeParse(json);
    return single.success ? [single.data] : undefined;
  }
  const batch = decisionBatchResultSchema.safeParse(json);
  return batch.success ? batch.data.decisions : undefined;
}

/** Keeps the problem's stable parts (type, title, field pointers); its `detail` may echo values, so it is left out. */
function requestError(status: number, text: string): ConsentRequestError {
  let problem: { type?: unknown; title?: unknown; errors?: unknown } = {};
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object') problem = json;
  } catch {
    // Not problem+json (a proxy's page, say): the status alone says it.
  }
  const fields = Array.isArray(problem.errors)
    ? problem.errors.flatMap((e: unknown) => {
        const p = e && typeof e === 'object' ? (e as { pointer?: unknown; field?: unknown }) : {};
        const where = p.pointer ?? p.field;
        return typeof where === 'string' ? [where] : [];
      })
    : [];
  const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
  return new ConsentRequestError(status, typeof problem.type === 'string' ? problem.type : undefined, fields, title);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The error's class and code (`TypeError`, `ECONNREFUSED`), never its message, which may name the URL or echo input. */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error.cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
