import { randomUUID } from 'node:crypto';
import { MAX_BATCH_DECISIONS, type Decision, type DecisionQuery } from '@lienthong/contracts';
import { expectEventually } from '@lienthong/testing';
import { Registry } from 'prom-client';
import { CONSENT_UNAVAILABLE, ConsentClient, ConsentRequestError, prometheusConsentClientMetrics, type ConsentClientOptions } from '../src';
import { answer, FakeDecisionPoint, json, permit, refusingUrl, type Reply } from './fake-decision-point';

// The client against a real socket: a local HTTP server stands for consent-service in each fault mode.

const TIMEOUT_MS = 200;
/** Scheduling slack on a shared 2-core machine; still far below "hangs until the caller's own timeout". */
const MARGIN_MS = 150;

let fake: FakeDecisionPoint;
const clients: ConsentClient[] = [];
const logged: string[] = [];

function client(options: Partial<ConsentClientOptions> = {}): ConsentClient {
  const c = new ConsentClient({
    baseUrl: fake.url,
    token: () => Promise.resolve('test-token'),
    timeoutMs: TIMEOUT_MS,
    breaker: { volumeThreshold: 3, resetTimeoutMs: 300 },
    logger: { info: (msg, fields) => logged.push(JSON.stringify({ msg, ...fields })), warn: (msg, fields) => logged.push(JSON.stringify({ msg, ...fields })) },
    ...options,
  });
  clients.push(c);
  return c;
}

function query(overrides: Partial<DecisionQuery> = {}): DecisionQuery {
  return { enterprisePatientId: randomUUID(), facilityCode: '01001', category: 'lab', purpose: 'treatment', ...overrides };
}

const unavailable: Decision = { decision: 'deny', reason: 'consent-unavailable', basis: [], obligations: [] };

beforeEach(async () => {
  fake = await FakeDecisionPoint.start();
  logged.length = 0;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fake.stop();
});

describe('answers from the decision point', () => {
  it('passes permits (with basis and obligations) and denies through, asking with the bearer token', async () => {
    const withdrawn: Decision = { decision: 'deny', reason: 'consent-withdrawn', basis: [{ consentId: randomUUID(), version: 3 }], obligations: [] };
    fake.behaviour = answer((q) => (q.category === 'lab' ? permit(q) : withdrawn));
    const consent = client();

    const lab = query();
    await expect(consent.decide(lab)).resolves.toEqual(permit(lab));
    await expect(consent.decide(query({ category: 'imaging' }))).resolves.toEqual(withdrawn);

    expect(fake.received.map((r) => [r.path, r.authorization])).toEqual([
      ['/v1/decisions', 'Bearer test-token'],
      ['/v1/decisions', 'Bearer test-token'],
    ]);
    expect(fake.received[0]?.body).toEqual(lab);
  });

  it('splits a large batch into batches of MAX_BATCH_DECISIONS and returns the answers in the order asked', async () => {
    const consent = client();
    const queries = Array.from({ length: 2 * MAX_BATCH_DECISIONS + 500 }, () => query());

    const decisions = await consent.decideMany(queries);

    expect(fake.received.every((r) => r.path === '/v1/decisions/batch')).toBe(true);
    expect(fake.received.map((r) => r.body.queries?.length).sort()).toEqual([1000, 1000, 500]);
    expect(decisions).toHaveLength(queries.length);
    decisions.forEach((d, i) => expect(d.basis[0]?.consentId).toBe(queries[i]?.enterprisePatientId));
  });

  it('answers an empty batch without a call', async () => {
    await expect(client().decideMany([])).resolves.toEqual([]);
    expect(fake.received).toHaveLength(0);
  });
});

describe('fails closed', () => {
  it('answers deny consent-unavailable when the service hangs, within the timeout and a small margin', async () => {
    fake.behaviour = () => 'hang';
    const consent = client();

    const started = performance.now();
    const decision = await consent.decide(query());
    const elapsed = performance.now() - started;

    expect(decision).toEqual(unavailable);
    expect(fake.received).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  const faults: [string, Reply][] = [
    ['503', json(503, { title: 'Service Unavailable' })],
    ['500', json(500, {})],
    ['429 (overloaded)', json(429, {})],
    ['garbage instead of JSON', { status: 200, body: '{"decision":"permit", oops' }],
    ['a permit without its basis', json(200, { decision: 'permit', reason: 'consent-granted', obligations: [] })],
    ['an unknown reason', json(200, { decision: 'permit', reason: 'trust-me', basis: [], obligations: [] })],
  ];
  it.each(faults)('answers deny consent-unavailable for %s, never throwing', async (_name, reply) => {
    fake.behaviour = () => reply;
    const consent = client();
    await expect(consent.decide(query())).resolves.toEqual(unavailable);
    await expect(consent.decideMany([query(), query()])).resolves.toEqual([unavailable, unavailable]);
    expect(fake.received).toHaveLength(2);
  });

  it('answers deny consent-unavailable for a batch answer with fewer decisions than queries', async () => {
    fake.behaviour = ({ body }) => json(200, { decisions: (body.queries ?? []).slice(1).map(permit) });
    await expect(client().decideMany([query(), query(), query()])).resolves.toEqual([unavailable, unavailable, unavailable]);
  });

  it('answers deny consent-unavailable when the connection is refused', async () => {
    const consent = client({ baseUrl: await refusingUrl() });
    await expect(consent.decide(query())).resolves.toEqual(unavailable);
    await expect(consent.decideMany([query()])).resolves.toEqual([unavailable]);
  });

  it('answers deny consent-unavailable when no token can be had, or it comes too late', async () => {
    await expect(client({ token: () => Promise.reject(new Error('issuer down')) }).decide(query())).resolves.toEqual(unavailable);
    const slowToken = client({ token: () => new Promise((resolve) => setTimeout(() => resolve('late'), TIMEOUT_MS * 3).unref()) });
    const started = performance.now();
    await expect(slowToken.decide(query())).resolves.toEqual(unavailable);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(fake.received).toHaveLength(0);
  });

  it('denies only the queries of a batch that failed; the other batches keep their answers', async () => {
    const queries = Array.from({ length: MAX_BATCH_DECISIONS + 2 }, () => query());
    const failing = queries[MAX_BATCH_DECISIONS]?.enterprisePatientId;
    fake.behaviour = (r) => (r.body.queries?.[0]?.enterprisePatientId === failing ? json(503, {}) : answer(permit)(r));

    const decisions = await client().decideMany(queries);

    expect(decisions.slice(0, MAX_BATCH_DECISIONS)).toEqual(queries.slice(0, MAX_BATCH_DECISIONS).map(permit));
    expect(decisions.slice(MAX_BATCH_DECISIONS)).toEqual([unavailable, unavailable]);
  });

  it('never logs patient ids or facility codes', async () => {
    const q = query({ facilityCode: '79A12' });
    fake.behaviour = () => json(503, { detail: `patient ${q.enterprisePatientId}` });
    const consent = client();
    for (let i = 0; i < 4; i++) await consent.decide(q);
    fake.behaviour = () => 'hang';
    await expectEventually(() => expect(consent.state()).toBe('half-open'), { timeoutMs: 5_000 });
    await consent.decide(q);

    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(q.enterprisePatientId);
      expect(line).not.toContain(q.facilityCode);
    }
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold of failures, then answers deny without calling the service', async () => {
    fake.behaviour = () => json(503, {});
    const consent = client();

    for (let i = 0; i < 3; i++) await expect(consent.decide(query())).resolves.toEqual(unavailable);
    expect(consent.state()).toBe('open');
    expect(fake.received).toHaveLength(3);

    fake.behaviour = answer(permit); // healed, but the circuit has not tried yet
    const started = performance.now();
    for (let i = 0; i < 5; i++) await expect(consent.decide(query())).resolves.toEqual(unavailable);
    await expect(consent.decideMany([query(), query()])).resolves.toEqual([unavailable, unavailable]);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(fake.received).toHaveLength(3);
  });

  it('half-opens after the reset timeout and closes on a successful trial call', async () => {
    fake.behaviour = () => 'hang';
    const consent = client();
    for (let i = 0; i < 3; i++) await consent.decide(query());
    expect(consent.state()).toBe('open');

    fake.behaviour = answer(permit);
    await expectEventually(() => expect(consent.state()).toBe('half-open'), { timeoutMs: 5_000 });
    const q = query();
    await expect(consent.decide(q)).resolves.toEqual(permit(q));
    expect(consent.state()).toBe('closed');
    expect(fake.received).toHaveLength(4);
    await expect(consent.decide(q)).resolves.toEqual(permit(q));
  });

  it('opens again when the half-open trial fails', async () => {
    fake.behaviour = () => json(503, {});
    const consent = client();
    for (let i = 0; i < 3; i++) await consent.decide(query());
    await expectEventually(() => expect(consent.state()).toBe('half-open'), { timeoutMs: 5_000 });

    await expect(consent.decide(query())).resolves.toEqual(unavailable);
    expect(consent.state()).toBe('open');
    expect(fake.received).toHaveLength(4);
    await consent.decide(query());
    expect(fake.received).toHaveLength(4);
  });

  it('reports its state and decisions to a Prometheus registry', async () => {
    const registry = new Registry();
    fake.behaviour = () => json(503, {});
    const consent = client({ metrics: prometheusConsentClientMetrics(registry) });
    for (let i = 0; i < 4; i++) await consent.decide(query());

    const text = await registry.metrics();
    expect(text).toContain('lienthong_consent_client_breaker_state{client="consent"} 2');
    expect(text).toContain('lienthong_consent_client_decisions_total{client="consent",decision="deny",reason="consent-unavailable"} 4');
    expect(text).toMatch(/lienthong_consent_client_call_seconds_count\{client="consent",endpoint="single",outcome="short-circuited"\} 1/);
  });
});

describe("a caller's mistake throws instead of denying", () => {
  it('throws ConsentRequestError naming the field for a 400/422, and for 401 and 403', async () => {
    const consent = client();
    fake.behaviour = () =>
      json(422, { type: 'https://lienthong.vn/problems/validation', title: 'Validation failed', status: 422, errors: [{ pointer: '#/queries/0/category', rule: 'enum' }] });
    const error = await consent.decideMany([query()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsentRequestError);
    expect(error).toMatchObject({ status: 422, pointers: ['#/queries/0/category'] });
    expect((error as Error).message).toContain('#/queries/0/category');

    for (const status of [400, 401, 403]) {
      fake.behaviour = () => json(status, { title: 'no' });
      await expect(consent.decide(query())).rejects.toMatchObject({ name: 'ConsentRequestError', status });
    }
  });

  it('does not count 4xx answers as outages: the circuit stays closed', async () => {
    fake.behaviour = () => json(403, { title: 'Forbidden' });
    const consent = client();
    for (let i = 0; i < 6; i++) await expect(consent.decide(query())).rejects.toBeInstanceOf(ConsentRequestError);
    expect(consent.state()).toBe('closed');
    expect(fake.received).toHaveLength(6);
  });

  it('rejects a query that breaks the contract before sending anything', async () => {
    const consent = client();
    const bad = { ...query(), category: 'everything' } as unknown as DecisionQuery;
    await expect(consent.decide(bad)).rejects.toMatchObject({ status: undefined, pointers: ['#/category'] });
    await expect(consent.decideMany([query(), bad])).rejects.toMatchObject({ pointers: ['#/queries/1/category'] });
    expect(fake.received).toHaveLength(0);
    expect(CONSENT_UNAVAILABLE).toEqual(unavailable);
  });
});
