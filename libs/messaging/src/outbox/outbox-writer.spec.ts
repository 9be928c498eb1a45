import { defineEvent, type TopicSpec } from '@lienthong/contracts';
import { context, propagation, type TextMapPropagator } from '@opentelemetry/api';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { OUTBOX_CHANNEL } from './outbox.schema';
import { outboxEvent, OutboxWriter } from './outbox-writer';

const topic: TopicSpec = { name: 't.v1', partitions: 1, retentionMs: 1000, cleanupPolicy: 'delete', key: 'enterprisePatientId', description: 't' };
const Thing = defineEvent({
  type: 'vn.lienthong.test.thing.happened',
  topic,
  schema: z.object({ patientId: z.uuid(), n: z.number().int() }),
  keyOf: (d) => d.patientId,
});
const patientId = '01920000-0000-7000-8000-000000000001';

function fakeManager(inTransaction: boolean) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const manager = {
    queryRunner: { isTransactionActive: inTransaction },
    query: (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return Promise.resolve([{ appended: '1' }]);
    },
  } as unknown as EntityManager;
  return { manager, calls };
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

describe('OutboxWriter', () => {
  afterEach(() => propagation.disable());

  it('refuses to append outside a transaction', async () => {
    const { manager } = fakeManager(false);
    await expect(new OutboxWriter({ source: '/t' }).append(manager, outboxEvent(Thing, { patientId, n: 1 }))).rejects.toThrow(/open transaction/);
  });

  it('validates data before touching the database', async () => {
    const { manager, calls } = fakeManager(true);
    await expect(new OutboxWriter({ source: '/t' }).append(manager, { definition: Thing, data: { patientId: 'nope', n: 1 } })).rejects.toThrow(/patientId/);
    expect(calls).toHaveLength(0);
  });

  it('appends many events in one statement with CloudEvents headers, trace context and a commit-time NOTIFY', async () => {
    propagation.setGlobalPropagator(fakePropagator);
    const { manager, calls } = fakeManager(true);
    const built = await context.with(context.active(), () =>
      new OutboxWriter({ source: '/lienthong/test' }).append(manager, [outboxEvent(Thing, { patientId, n: 1 }), outboxEvent(Thing, { patientId, n: 2 })]),
    );
    expect(calls).toHaveLength(1);
    const [topics, keys, headers, values] = calls[0]?.params as [string[], string[], string[], Buffer[]];
    expect(topics).toEqual(['t.v1', 't.v1']);
    expect(keys).toEqual([patientId, patientId]);
    const first = JSON.parse(headers[0] ?? '{}') as Record<string, string>;
    expect(first).toMatchObject({
      ce_id: built[0]?.event.id,
      ce_type: Thing.type,
      ce_source: '/lienthong/test',
      traceparent: fixedTraceparent,
      baggage: 'tenant=hn',
      'content-type': 'application/json',
    });
    expect(JSON.parse(values[1]?.toString() ?? '')).toEqual({ patientId, n: 2 });
    expect(calls[0]?.sql).toContain(`pg_notify('${OUTBOX_CHANNEL}'`);
  });

  it('can leave NOTIFY out', async () => {
    const { manager, calls } = fakeManager(true);
    await new OutboxWriter({ source: '/t', notify: false }).append(manager, outboxEvent(Thing, { patientId, n: 1 }));
    expect(calls[0]?.sql).not.toContain('pg_notify');
  });

  it('refuses a built event appended under another definition', async () => {
    const { manager } = fakeManager(true);
    const Other = defineEvent({ ...Thing, type: 'vn.lienthong.test.thing.other' });
    const built = await new OutboxWriter({ source: '/t' }).append(manager, outboxEvent(Thing, { patientId, n: 1 }));
    await expect(new OutboxWriter({ source: '/t' }).appendBuilt(manager, Other, built)).rejects.toThrow(/appended with definition/);
  });
});
