import { decodeCloudEvent } from '@lienthong/contracts';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { type CollectedMessage } from '@lienthong/testing';
import { v4 as uuidv4 } from 'uuid';
import { type DataSource } from 'typeorm';
import { outboxEvent, type OutboxWriter } from '../src/outbox/outbox-writer';
import { type EffectRow, type ThingData, type ThingEvent } from './fixtures';

export interface WorkloadOptions {
  keys: number;
  eventsPerKey: number;
  writers: number;
  /** Every n-th transaction rolls back (its event must never be seen). */
  rollbackEvery: number;
  /** Every n-th transaction inserts, then stays open while other transactions commit. */
  lateEvery: number;
  /** How many other commits a late transaction waits for before committing. */
  lateHoldCommits: number;
}

export interface WorkloadResult {
  /** Committed seqs per key, in commit order (0, 1, 2, …). */
  committed: Map<string, number>;
  committedIds: Set<string>;
  doomedIds: Set<string>;
  lateCommits: number;
  /** Late transactions that saw other transactions commit while they were open. */
  overtaken: number;
}

/**
 * Concurrent writers, each owning some keys and writing their events one transaction at a time (so
 * a key's events have a defined commit order), with some transactions rolled back and some held
 * open while the other writers commit: the interleaving that exposes the sequence-gap bug.
 */
export async function runWorkload(dataSource: DataSource, writer: OutboxWriter, Thing: ThingEvent, options: WorkloadOptions): Promise<WorkloadResult> {
  const uow = new TypeormUnitOfWork(dataSource);
  const keys = Array.from({ length: options.keys }, () => uuidv4());
  const result: WorkloadResult = { committed: new Map(keys.map((k) => [k, 0])), committedIds: new Set(), doomedIds: new Set(), lateCommits: 0, overtaken: 0 };
  let commits = 0;
  const commitWaiters: { target: number; resolve: () => void }[] = [];
  const onCommit = () => {
    commits += 1;
    for (const w of commitWaiters.filter((w) => commits >= w.target)) {
      commitWaiters.splice(commitWaiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const waitForCommits = (n: number) =>
    new Promise<void>((resolve) => {
      // Bounded: if every writer were holding a late transaction nobody would commit.
      const timer = setTimeout(resolve, 1_000);
      commitWaiters.push({ target: commits + n, resolve: () => (clearTimeout(timer), resolve()) });
    });

  let txCounter = 0;
  const writerLoop = async (w: number) => {
    const mine = keys.filter((_, i) => i % options.writers === w);
    for (let round = 0; round < options.eventsPerKey; round++) {
      for (const key of mine) {
        // Retry a rolled-back slot so every key ends with eventsPerKey committed events.
        for (;;) {
          txCounter += 1;
          const n = txCounter;
          const doomed = n % options.rollbackEvery === 0;
          const late = !doomed && n % options.lateEvery === 0;
          const seq = result.committed.get(key) ?? 0;
          const data: ThingData = { key, seq, doomed, behaviour: 'ok' };
          let ids: string[] = [];
          try {
            await uow.run(async (tx) => {
              const built = writer.append(tx, outboxEvent(Thing, data));
              ids = built.map((b) => b.event.id);
              // The append is only queued; a read sends it now, so the row holds its id (and its
              // transaction id) while the transaction waits or rolls back, as a producer that reads
              // after writing would. Without it late and doomed rows would reach Postgres only at
              // COMMIT, or never, and the interleaving under test would not happen.
              await tx.query('SELECT 1');
              if (late) {
                const before = commits;
                await waitForCommits(options.lateHoldCommits);
                if (commits > before) result.overtaken += 1;
              }
              if (doomed) throw new Error('rollback on purpose');
            });
          } catch (error) {
            if (!doomed) throw error;
            ids.forEach((id) => result.doomedIds.add(id));
            continue;
          }
          ids.forEach((id) => result.committedIds.add(id));
          result.committed.set(key, seq + 1);
          if (late) result.lateCommits += 1;
          onCommit();
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.writers }, (_, w) => writerLoop(w)));
  return result;
}

/** Effects applied through the inbox: every committed event exactly once, in seq order per key, nothing doomed. */
export function assertEffectsExactlyOnceInOrder(effects: readonly EffectRow[], workload: WorkloadResult): void {
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  for (const e of effects) {
    if (workload.doomedIds.has(e.event_id) || e.doomed) throw new Error(`rolled-back event ${e.event_id} was applied`);
    if (seen.has(e.event_id)) throw new Error(`event ${e.event_id} applied twice`);
    seen.add(e.event_id);
    const expected = (lastSeq.get(e.key) ?? -1) + 1;
    if (e.seq !== expected) throw new Error(`key ${e.key}: applied seq ${e.seq}, expected ${expected} (out of order or a gap)`);
    lastSeq.set(e.key, e.seq);
  }
  const missing = [...workload.committedIds].filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`${missing.length} committed events not applied yet (e.g. ${missing[0]})`);
}

export interface WireSummary {
  records: number;
  duplicates: number;
}

/**
 * What reached the broker, read by an independent consumer: per key, first appearances in seq order
 * with nothing missing and nothing rolled back. Duplicates (re-sends after a crash) are counted,
 * and must be re-sends of earlier positions, not new events jumping ahead.
 */
export function checkWire(messages: readonly CollectedMessage[], workload: WorkloadResult): WireSummary {
  const byKey = new Map<string, number[]>();
  let duplicates = 0;
  const seen = new Set<string>();
  for (const { message } of messages) {
    const event = decodeCloudEvent(message);
    const data = event.data as ThingData;
    if (workload.doomedIds.has(event.id)) throw new Error(`rolled-back event ${event.id} reached Kafka`);
    if (message.key?.toString() !== data.key) throw new Error(`record key ${String(message.key)} is not the event key ${data.key}`);
    if (seen.has(event.id)) duplicates += 1;
    seen.add(event.id);
    const list = byKey.get(data.key) ?? [];
    list.push(data.seq);
    byKey.set(data.key, list);
  }
  for (const [key, count] of workload.committed) {
    const seqs = byKey.get(key) ?? [];
    let next = 0;
    for (const s of seqs) {
      if (s === next) next += 1;
      else if (s > next) throw new Error(`key ${key}: seq ${s} reached Kafka before seq ${next}`);
      // s < next: a re-sent earlier event, allowed after a crash.
    }
    if (next !== count) throw new Error(`key ${key}: ${next} of ${count} events on the wire`);
  }
  return { records: messages.length, duplicates };
}
