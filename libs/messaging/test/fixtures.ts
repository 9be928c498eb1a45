/**
 * Shared by the integration tests and their child-process fixtures: a throwaway event type on a
 * per-suite topic, a handler whose effects can be counted, and the database set-up.
 */
import { defineEvent, type CloudEvent, type TopicSpec } from '@lienthong/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { CreateInbox1795600000001 } from '../src/inbox/inbox.schema';
import { CreateOutbox1795600000000 } from '../src/outbox/outbox.schema';

export const thingSchema = z.object({
  key: z.uuid(),
  /** Position of this event among its key's committed events: the order consumers must see. */
  seq: z.number().int().nonnegative(),
  /** Written by a transaction that rolls back: must never be seen. */
  doomed: z.boolean().default(false),
  /** How the test handler should behave. */
  behaviour: z.enum(['ok', 'fail-always', 'fail-once', 'reject']).default('ok'),
});
export type ThingData = z.output<typeof thingSchema>;

export function thingEvent(topic: TopicSpec) {
  return defineEvent({ type: 'vn.lienthong.test.thing.happened', topic, schema: thingSchema, keyOf: (d) => d.key });
}
export type ThingEvent = ReturnType<typeof thingEvent>;

export function testTopic(name: string, partitions = 3): TopicSpec {
  return { name, partitions, retentionMs: 3_600_000, cleanupPolicy: 'delete', key: 'enterprisePatientId', description: `test topic ${name}` };
}

export const EFFECTS_SQL = `
CREATE TABLE IF NOT EXISTS effects (
  n         bigserial PRIMARY KEY,
  consumer  text    NOT NULL,
  event_id  text    NOT NULL,
  key       text    NOT NULL,
  seq       integer NOT NULL,
  doomed    boolean NOT NULL,
  traceparent text
);`;

export async function openDataSource(url: string, poolSize = 20): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: [CreateOutbox1795600000000, CreateInbox1795600000001],
    extra: { max: poolSize },
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.query(EFFECTS_SQL);
  return dataSource;
}

/** The effect a handler applies: one row per application, so "exactly once" is countable. */
export async function recordEffect(consumer: string, event: CloudEvent<ThingData> & { traceparent?: string }, manager: EntityManager): Promise<void> {
  await manager.query('INSERT INTO effects (consumer, event_id, key, seq, doomed, traceparent) VALUES ($1, $2, $3, $4, $5, $6)', [
    consumer,
    event.id,
    event.data.key,
    event.data.seq,
    event.data.doomed,
    event.traceparent ?? null,
  ]);
}

export interface EffectRow {
  n: string;
  event_id: string;
  key: string;
  seq: number;
  doomed: boolean;
  traceparent: string | null;
}

export async function readEffects(dataSource: DataSource, consumer: string): Promise<EffectRow[]> {
  return dataSource.query('SELECT n, event_id, key, seq, doomed, traceparent FROM effects WHERE consumer = $1 ORDER BY n', [consumer]);
}
