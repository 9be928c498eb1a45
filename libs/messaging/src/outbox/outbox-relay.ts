import { type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { Client, type ClientConfig } from 'pg';
import { ACKS_ALL, createProducer } from '../kafka/producer';
import { backoffDelay } from '../shared/backoff';
import { errorFields, stderrLogger, type MessagingLogger } from '../shared/logger';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from './outbox.schema';

/** Hooks for metrics; every method optional. See `prometheusRelayMetrics` for a prom-client binding. */
export interface OutboxRelayMetrics {
  /** Rows acknowledged by Kafka (all in-sync replicas). Called before those rows are deleted. */
  published?(topic: string, count: number): void;
  /** One batch fetched, sent, acknowledged and deleted: its size and duration in seconds. */
  batch?(size: number, seconds: number): void;
  /** Age in seconds of the oldest row still in the outbox (0 when empty), measured after each poll. */
  lag?(seconds: number): void;
  /** Rows are waiting but none is eligible yet: an older transaction is still open. */
  blocked?(): void;
  leadership?(isLeader: boolean): void;
  error?(stage: 'postgres' | 'kafka'): void;
}

export interface OutboxRelayOptions {
  /** Connection for the relay's own session (lock, LISTEN and queries); not taken from a pool. */
  readonly postgres: string | ClientConfig;
  readonly kafka: Kafka;
  /** Names the outbox for the leader lock and logs; relays sharing a name and database elect one leader. */
  readonly name?: string;
  /** Rows per fetch / Kafka request (default 2000). */
  readonly batchSize?: number;
  /** Longest idle wait between polls when nothing is pending (ms, default 1000). NOTIFY cuts it short. */
  readonly pollIntervalMs?: number;
  /** First re-poll delay while rows wait for an older transaction; doubles up to pollIntervalMs (default 5). */
  readonly blockedPollMs?: number;
  /** How often a standby retries the leader lock (ms, default 1000). */
  readonly standbyPollMs?: number;
  /** LISTEN for the writer's commit-time NOTIFY (default true). Polling continues regardless. */
  readonly listen?: boolean;
  readonly metrics?: OutboxRelayMetrics;
  readonly logger?: MessagingLogger;
}

export interface OutboxRelayStats {
  readonly leader: boolean;
  /** Rows this relay has had acknowledged by Kafka (including re-sends after a failure). */
  readonly published: number;
  readonly batches: number;
  /** Polls that found rows held back by an open older transaction. */
  readonly blockedPolls: number;
  /** Times this relay became leader. */
  readonly terms: number;
}

interface OutboxRow {
  id: string;
  tx_id: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
  age_s: number;
}

interface Cursor {
  readonly txId: string;
  readonly id: string;
}

/** Marks a promise as handled now (it is awaited later), so a rejection in between is not "unhandled". */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Arbitrary first half of the advisory lock key, so our locks cannot collide with other users'. */
const LOCK_CLASS = 0x4c54_4f42; // "LTOB"

/**
 * Publishes the outbox to Kafka, in order, at least once.
 *
 * Which rows, in which order — the sequence-gap problem. A bigserial id is taken at INSERT, not at
 * commit, so "publish everything after the last id I saw" skips a row whose transaction inserted
 * early and commits late. Instead each row carries its transaction's id (`tx_id`, xid8) and a row is
 * eligible only when `tx_id < pg_snapshot_xmin(pg_current_snapshot())`: every transaction older than
 * that horizon has finished, so no row below it can still appear. Eligible rows go out ordered by
 * (tx_id, id); since the eligible set only ever grows as a prefix of that order, the relay keeps a
 * cursor and never rescans published rows.
 *
 * Per-key order: transactions that touch a key one after the other (the second starts its writes
 * after the first committed — the normal case for one patient) get increasing tx_ids, so their
 * events leave in commit order. Transactions racing for the same row lock are ordered by when they
 * first wrote, which can differ from commit order; a use case that must order such writers takes
 * the entity's lock before its first write.
 *
 * The known cost: one long transaction — anywhere in the Postgres cluster, since the horizon is
 * cluster-wide — holds the horizon and pauses the relay until it ends (rows keep accumulating,
 * nothing is lost). Keep transactions short and set `idle_in_transaction_session_timeout`; the
 * `lag` metric shows a pause as a growing age. The integration test and the benchmark measure it.
 *
 * Delivery: rows are deleted only after Kafka acknowledged them (acks=all, idempotent producer). A
 * relay killed between the two re-sends the batch after restart: duplicates on the wire are
 * possible, loss is not; consumers dedupe with the inbox.
 *
 * One publisher: several replicas may run a relay; a Postgres advisory lock held by the relay's own
 * session elects one leader. The others poll the lock and take over within `standbyPollMs` of the
 * leader's session ending (Postgres drops the lock when the connection closes, also on SIGKILL).
 * Several concurrent publishers would reorder keys, so the lock is not an optimisation.
 *
 * Wake-ups: the writer's NOTIFY (delivered at commit) wakes the relay at once, but NOTIFY is not
 * durable, so the relay also polls.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly blockedPollMs: number;
  private readonly standbyPollMs: number;
  private readonly logger: MessagingLogger;
  private readonly metrics: OutboxRelayMetrics;
  private readonly producer: Producer;
  private producerConnected = false;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private wakePending = false;
  private wakeWaiter: (() => void) | undefined;
  private counters = { leader: false, published: 0, batches: 0, blockedPolls: 0, terms: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? OUTBOX_TABLE;
    this.batchSize = options.batchSize ?? 2000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.blockedPollMs = options.blockedPollMs ?? 5;
    this.standbyPollMs = options.standbyPollMs ?? 1000;
    this.logger = options.logger ?? stderrLogger;
    this.metrics = options.metrics ?? {};
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error('batchSize must be a positive integer');
    this.producer = createProducer(options.kafka);
  }

  get stats(): OutboxRelayStats {
    return { ...this.counters };
  }

  get isLeader(): boolean {
    return this.counters.leader;
  }

  /** Starts campaigning for leadership and publishing; returns at once. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Finishes the batch in flight (sent and deleted), releases leadership and disconnects. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort.abort();
    this.wake();
    await this.loop;
    this.loop = undefined;
    if (this.producerConnected) {
      this.producerConnected = false;
      await this.producer.disconnect();
    }
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.session();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.error('outbox relay session failed; reconnecting', { relay: this.name, failures, ...errorFields(error) });
        await this.idle(backoffDelay(failures, { initialDelayMs: 200, maxDelayMs: 10_000, multiplier: 2, jitter: 0.2 }), false);
      }
    }
  }

  /** One Postgres session: campaign for the lock, then publish until stopped or the session breaks. */
  private async session(): Promise<void> {
    const config = typeof this.options.postgres === 'string' ? { connectionString: this.options.postgres } : this.options.postgres;
    const client = new Client({ application_name: `outbox-relay:${this.name}`, keepAlive: true, ...config });
    let broken: Error | undefined;
    client.on('error', (error) => {
      broken = error;
      this.wake();
    });
    client.on('notification', () => this.wake());
    await client.connect();
    try {
      while (!this.stopping) {
        const { rows } = await client.query<{ acquired: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS acquired', [
          LOCK_CLASS,
          this.name,
        ]);
        if (rows[0]?.acquired) break;
        await this.idle(this.standbyPollMs, false);
        if (broken) throw broken;
      }
      if (this.stopping) return;
      this.setLeader(true);
      this.logger.info('outbox relay is leader', { relay: this.name });
      if (this.options.listen !== false) await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (!this.producerConnected) {
        await this.producer.connect();
        this.producerConnected = true;
      }
      await this.publishLoop(client, () => broken);
    } finally {
      if (this.counters.leader) this.setLeader(false);
      // Closing the session releases the advisory lock: a standby takes over.
      await client.end().catch(() => undefined);
    }
  }

  private async publishLoop(client: Client, broken: () => Error | undefined): Promise<void> {
    // (tx_id, id) of the last row fetched in this session. Rows at or below it are published (or
    // in flight); every row that becomes eligible later sorts above it.
    let cursor: Cursor = { txId: '0', id: '0' };
    let blockedStreak = 0;
    // Pipelining while draining a backlog: the next batch is fetched while this one is in flight
    // to Kafka, and a batch's delete runs while the next one is sent. A failure anywhere ends the
    // session; the next session starts again from the oldest row (re-sends, never skips).
    let prefetched: Promise<OutboxRow[]> | undefined;
    let deleting: Promise<unknown> | undefined;
    try {
      while (!this.stopping) {
        const error = broken();
        if (error) throw error;
        if (!prefetched) this.wakePending = false;
        const rows = await (prefetched ?? this.fetch(client, cursor));
        prefetched = undefined;
        const last = rows[rows.length - 1];
        if (last) {
          const started = process.hrtime.bigint();
          cursor = { txId: last.tx_id, id: last.id };
          if (rows.length === this.batchSize && !this.stopping) {
            this.wakePending = false;
            prefetched = handled(this.fetch(client, cursor));
          }
          await this.send(rows);
          await deleting;
          // Everything at or below the last row was eligible when fetched, so it was in this batch
          // or an earlier one: one index range delete, which also sweeps rows a previous leader
          // published but did not get to delete.
          deleting = handled(client.query(`DELETE FROM ${OUTBOX_TABLE} WHERE (tx_id, id) <= ($1::xid8, $2::bigint)`, [last.tx_id, last.id]));
          this.counters.batches += 1;
          this.metrics.batch?.(rows.length, Number(process.hrtime.bigint() - started) / 1e9);
          if (rows.length === this.batchSize) {
            this.metrics.lag?.(rows[0]?.age_s ?? 0);
            blockedStreak = 0;
            continue;
          }
        }
        await deleting;
        deleting = undefined;
        // A short batch: is anything left that is not yet eligible (an older transaction still open)?
        const { rows: head } = await client.query<{ age_s: number }>(
          `SELECT extract(epoch FROM clock_timestamp() - o.created_at)::float8 AS age_s
             FROM ${OUTBOX_TABLE} o WHERE (o.tx_id, o.id) > ($1::xid8, $2::bigint)
            ORDER BY o.tx_id, o.id LIMIT 1`,
          [cursor.txId, cursor.id],
        );
        const pending = head[0];
        this.metrics.lag?.(Math.max(rows[0]?.age_s ?? 0, pending?.age_s ?? 0));
        if (pending) {
          // Re-poll soon, backing off while the blocking transaction stays open. Its commit does not
          // necessarily NOTIFY (it may not write to the outbox), so polling is what ends the wait.
          this.counters.blockedPolls += 1;
          this.metrics.blocked?.();
          blockedStreak += 1;
          await this.idle(Math.min(this.pollIntervalMs, this.blockedPollMs * 2 ** Math.min(blockedStreak - 1, 16)), true);
        } else {
          blockedStreak = 0;
          if (!last) await this.idle(this.pollIntervalMs, true);
        }
      }
      // Stopping: the last batch's delete completes before the session closes.
      await deleting;
    } finally {
      // A prefetched batch not sent yet is simply dropped: its rows stay in the outbox.
      await prefetched?.catch(() => undefined);
    }
  }

  private async fetch(client: Client, cursor: Cursor): Promise<OutboxRow[]> {
    const { rows } = await client.query<OutboxRow>(
      // Columns are qualified on purpose: a bare `ORDER BY id` would sort by the text output
      // column `id` ('10' < '9') instead of the bigint.
      `SELECT o.id::text AS id, o.tx_id::text AS tx_id, o.topic, o.key, o.headers, o.value,
              extract(epoch FROM clock_timestamp() - o.created_at)::float8 AS age_s
         FROM ${OUTBOX_TABLE} o
        WHERE o.tx_id < pg_snapshot_xmin(pg_current_snapshot())
          AND (o.tx_id, o.id) > ($1::xid8, $2::bigint)
        ORDER BY o.tx_id, o.id
        LIMIT $3`,
      [cursor.txId, cursor.id, this.batchSize],
    );
    return rows;
  }

  private async send(rows: readonly OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      let messages = byTopic.get(row.topic);
      if (!messages) byTopic.set(row.topic, (messages = []));
      messages.push({ key: row.key, value: row.value, headers: row.headers });
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    try {
      // A failed send (after the producer's own retries) throws: the rows stay, the session
      // restarts and the batch is re-sent. A row Kafka refuses for good (unknown topic, too large)
      // blocks the relay by design: skipping it would break order; it is logged and counted.
      await this.producer.sendBatch({ topicMessages, acks: ACKS_ALL });
    } catch (error) {
      this.metrics.error?.('kafka');
      throw error;
    }
    this.counters.published += rows.length;
    for (const { topic, messages } of topicMessages) this.metrics.published?.(topic, messages.length);
  }

  private setLeader(leader: boolean): void {
    this.counters.leader = leader;
    if (leader) this.counters.terms += 1;
    this.metrics.leadership?.(leader);
  }

  private wake(): void {
    this.wakePending = true;
    this.wakeWaiter?.();
  }

  /** Waits up to `ms`; stop() always cuts it short, a NOTIFY only when `wakeable`. */
  private idle(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (wakeable && this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wakeWaiter === onWake) this.wakeWaiter = undefined;
        resolve();
      };
      const onWake = () => {
        if (wakeable || this.stopping) done();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wakeWaiter = onWake;
    });
  }
}
