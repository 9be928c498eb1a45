import { defineEvent, type TopicSpec } from '@lienthong/contracts';
import { type SqlParam, type Tx } from '@lienthong/persistence';
import { context, propagation, type TextMapPropagator } from '@opentelemetry/api';
import { z } from 'zod';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from './outbox.schema';
import { OUTBOX_NOTIFY_SQL, outboxEvent, outboxEventsOf, OutboxWriter } from './outbox-writer';

const topic: TopicSpec = { name: 't.v1', partitions: 1, retentionMs: 1000, cleanupPolicy: 'delete', key: 'enterprisePatientId', description: 't' };
const Thing = defineEvent({
  type: 'vn.lienthong.test.thing.happened',
  topic,
  schema: z.object({ patientId: z.uuid(), n: z.number().int() }),
  keyOf: (d) => d.patientId,
});
const patientId = '01920000-0000-7000-8000-000000000001';

/** A transaction that only records what is queued on it: each write rendered with its own parameters. */
function fakeTx() {
  const writes: { sql: string; params: unknown[] }[] = [];
  const signals: string[] = [];
  const tx: Tx = {
    query: () => Promise.reject(new Error('the outbox writer never reads')),
    write: (build: (p: SqlParam) => string) => {
      const params: unknown[] = [];
      const sql = build((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      writes.push({ sql, params });
    },
    signal: (expression: string) => {
      signals.push(expression);
    },
  };
  return { tx, writes, signals };
}

const fixedTraceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const fakePropagator: TextMapPropagator = {
  inject: (_ctx, carrier, setter) => {
    setter.set(carrier, 'traceparent', fixedTraceparent);
    setter.set(carrier, 'baggage', 'tenant=hn');
  },
  extract: (ctx) => ctx,
  fields: () => ['traceparent', 'baggage'],
};

describe('OutboxWriter.append', () => {
  afterEach(() => propagation.disable());

  it('validates every event before queueing anything', () => {
    const { tx, writes, signals } = fakeTx();
    const writer = new OutboxWriter({ source: '/t' });
    expect(() => writer.append(tx, [outboxEvent(Thing, { patientId, n: 1 }), { definition: Thing, data: { patientId: 'nope', n: 2 } }])).toThrow(/patientId/);
    expect(writes).toHaveLength(0);
    expect(signals).toHaveLength(0);
  });

  it('queues many events as one INSERT with CloudEvents headers and trace context, and one commit-time NOTIFY', () => {
    propagation.setGlobalPropagator(fakePropagator);
    const { tx, writes, signals } = fakeTx();
    const built = context.with(context.active(), () =>
      new OutboxWriter({ source: '/lienthong/test' }).append(tx, [outboxEvent(Thing, { patientId, n: 1 }), outboxEvent(Thing, { patientId, n: 2 })]),
    );

    expect(built.map((b) => b.event.data)).toEqual([
      { patientId, n: 1 },
      { patientId, n: 2 },
    ]);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.sql).toMatch(new RegExp(`^INSERT INTO ${OUTBOX_TABLE} `));
    const [topics, keys, headers, values] = writes[0]?.params as [string[], string[], string[], Buffer[]];
    expect(topics).toEqual(['t.v1', 't.v1']);
    expect(keys).toEqual([patientId, patientId]);
    expect(headers.map((h) => (JSON.parse(h) as Record<string, string>)['ce_id'])).toEqual(built.map((b) => b.event.id));
    expect(JSON.parse(headers[0] ?? '{}')).toMatchObject({
      ce_specversion: '1.0',
      ce_type: Thing.type,
      ce_source: '/lienthong/test',
      ce_subject: patientId,
      traceparent: fixedTraceparent,
      baggage: 'tenant=hn',
      'content-type': 'application/json',
    });
    expect(JSON.parse(values[1]?.toString() ?? '')).toEqual({ patientId, n: 2 });
    expect(signals).toEqual([OUTBOX_NOTIFY_SQL]);
    expect(OUTBOX_NOTIFY_SQL).toBe(`pg_notify('${OUTBOX_CHANNEL}', '')`);
  });

  it('keeps a given id and time', () => {
    const { tx } = fakeTx();
    const time = new Date('2026-01-02T03:04:05.000Z');
    const [built] = new OutboxWriter({ source: '/t' }).append(tx, outboxEvent(Thing, { patientId, n: 1 }, { id: 'cmd-42', time }));
    expect(built?.event).toMatchObject({ id: 'cmd-42', time: time.toISOString() });
  });

  it('leaves NOTIFY out when told to', () => {
    const { tx, writes, signals } = fakeTx();
    new OutboxWriter({ source: '/t', notify: false }).append(tx, outboxEvent(Thing, { patientId, n: 1 }));
    expect(writes).toHaveLength(1);
    expect(signals).toHaveLength(0);
  });

  it('queues nothing for no events', () => {
    const { tx, writes, signals } = fakeTx();
    expect(new OutboxWriter({ source: '/t' }).append(tx, [])).toEqual([]);
    expect(writes).toHaveLength(0);
    expect(signals).toHaveLength(0);
  });
});

describe('outboxEventsOf', () => {
  it('reads back the events an append queued, as the relay would publish them, and nothing from another statement', () => {
    const { tx, writes } = fakeTx();
    new OutboxWriter({ source: '/t' }).append(tx, [outboxEvent(Thing, { patientId, n: 1 }), outboxEvent(Thing, { patientId, n: 2 })]);
    expect(outboxEventsOf(writes[0] ?? { sql: '', params: [] })).toEqual([
      { topic: 't.v1', key: patientId, type: Thing.type, data: { patientId, n: 1 } },
      { topic: 't.v1', key: patientId, type: Thing.type, data: { patientId, n: 2 } },
    ]);
    expect(outboxEventsOf({ sql: 'INSERT INTO audit_log (action) VALUES ($1)', params: ['x'] })).toEqual([]);
  });
});
