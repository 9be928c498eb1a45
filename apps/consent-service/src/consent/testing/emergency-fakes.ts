import { decodeCloudEvent } from '@lienthong/contracts';
import { OUTBOX_TABLE, OutboxWriter } from '@lienthong/messaging';
import { type Db, type RunOptions, type Tx, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { type FacilityProfile } from '../domain/decide';
import { type AuditEntry, AuditTrail } from '../ports/audit-trail.port';
import { ConsentChangeSignal } from '../ports/consent-change-signal.port';
import { type CachedState, ConsentStateCache } from '../ports/consent-state-cache.port';
import {
  type EmergencyAccess,
  type EmergencyAccessFilter,
  EmergencyAccessStore,
  type EmergencyAccessSummary,
} from '../ports/emergency-access-store.port';
import { type DueExpiry, ExpiryQueue } from '../ports/expiry-queue.port';
import { FacilityDirectory, type FacilityRecord } from '../ports/facility-directory.port';
import { PatientDirectory } from '../ports/patient-directory.port';

/*
 * In-memory ports for the break-the-glass and expiry use cases' unit specs (no Nest, no I/O). The
 * ports apply writes at once and the unit of work puts them back when the work throws, so a refused
 * command visibly leaves nothing behind; the real OutboxWriter queues its rows on the fake Tx and
 * `events()` decodes what committed with the real decoder.
 */

/** An in-memory port whose state the fake unit of work restores when the work throws. */
interface Snapshottable {
  snapshot(): () => void;
}

class FakeTx implements Tx {
  readonly writes: { sql: string; params: unknown[] }[] = [];
  readonly signals: string[] = [];
  private open = true;

  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('the in-memory ports send no SQL; a use case must not query the Tx itself'));
  }

  write(build: (p: (value: unknown) => string) => string): void {
    this.assertOpen();
    const params: unknown[] = [];
    this.writes.push({ sql: build((v) => `$${params.push(v)}`), params });
  }

  signal(expression: string): void {
    this.assertOpen();
    this.signals.push(expression);
  }

  end(): void {
    this.open = false;
  }

  assertOpen(): void {
    if (!this.open) throw new Error('this Tx belongs to a unit of work that has already ended');
  }
}

const CHANGED = 'changed:';

function useTx(db: Db): void {
  if (!(db instanceof FakeTx)) throw new Error('in-memory ports only accept the Tx of the FakeUnitOfWork');
  db.assertOpen();
}

export interface PublishedEvent {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export class FakeUnitOfWork extends UnitOfWork {
  /** What each committed unit of work queued (the outbox rows) and signalled, in commit order. */
  readonly committed: { kind: 'run' | 'read'; writes: FakeTx['writes']; signals: string[] }[] = [];
  rolledBack = 0;
  private readonly ports: Snapshottable[] = [];

  /** Ports whose state a failed unit of work puts back. */
  track(...ports: Snapshottable[]): this {
    this.ports.push(...ports);
    return this;
  }

  run<T>(work: (tx: Tx) => Promise<T>, _options?: RunOptions): Promise<T> {
    return this.execute('run', work);
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.execute('read', work);
  }

  /** Every event committed so far, decoded from the outbox rows with the real decoder. */
  events(): PublishedEvent[] {
    return this.committed.flatMap((c) =>
      c.writes
        .filter((w) => w.sql.startsWith(`INSERT INTO ${OUTBOX_TABLE} `))
        .flatMap((w) => {
          const [topics, keys, headers, values] = w.params as [string[], string[], string[], Buffer[]];
          return topics.map((topic, i) => {
            const event = decodeCloudEvent({ headers: JSON.parse(headers[i] ?? '{}') as Record<string, string>, value: values[i] ?? null });
            return { id: event.id, topic, key: keys[i] ?? '', type: event.type, data: event.data as Record<string, unknown> };
          });
        }),
    );
  }

  /** The patients whose consent-state change was signalled by a committed unit of work, in order. */
  changedPatients(): string[] {
    return this.committed.flatMap((c) => c.signals.filter((s) => s.startsWith(CHANGED)).map((s) => s.slice(CHANGED.length)));
  }

  private async execute<T>(kind: 'run' | 'read', work: (tx: Tx) => Promise<T>): Promise<T> {
    const restores = this.ports.map((p) => p.snapshot());
    const tx = new FakeTx();
    try {
      const result = await work(tx);
      this.committed.push({ kind, writes: tx.writes, signals: tx.signals });
      return result;
    } catch (error) {
      for (const restore of restores) restore();
      this.rolledBack += 1;
      throw error;
    } finally {
      tx.end();
    }
  }
}

export const testOutbox = () => new OutboxWriter({ source: '/lienthong/consent-service' });

export class InMemoryAuditTrail extends AuditTrail implements Snapshottable {
  rows: (AuditEntry & { readonly actor: Actor })[] = [];

  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    useTx(tx);
    this.rows.push(...entries.map((e) => ({ ...e, actor })));
  }

  snapshot(): () => void {
    const saved = [...this.rows];
    return () => (this.rows = saved);
  }
}

/** Signals as the Postgres adapter would: queued on the Tx, so only a committed unit of work signals. */
export class RecordingChangeSignal extends ConsentChangeSignal {
  changed(tx: Tx, enterprisePatientIds: readonly string[]): void {
    useTx(tx);
    for (const id of new Set(enterprisePatientIds)) tx.signal(`${CHANGED}${id}`);
  }
}

/** Records invalidations, and how many units of work had committed when each came (it must follow the commit). */
export class RecordingStateCache extends ConsentStateCache {
  readonly invalidations: { ids: readonly string[]; afterCommits: number }[] = [];

  constructor(private readonly uow: FakeUnitOfWork) {
    super();
  }

  getMany(ids: readonly string[]): Promise<CachedState[]> {
    return Promise.resolve(ids.map((enterprisePatientId) => ({ enterprisePatientId, state: undefined, generation: null })));
  }

  putMany(): Promise<void> {
    return Promise.resolve();
  }

  invalidate(ids: readonly string[]): Promise<void> {
    this.invalidations.push({ ids: [...ids], afterCommits: this.uow.committed.length });
    return Promise.resolve();
  }
}

export class FakePatientDirectory extends PatientDirectory {
  constructor(readonly knownIds: Set<string> = new Set()) {
    super();
  }

  known(db: Db, ids: readonly string[]): Promise<Set<string>> {
    useTx(db);
    return Promise.resolve(new Set(ids.filter((id) => this.knownIds.has(id))));
  }

  linkSituation(): never {
    throw new Error('not used by these use cases');
  }

  recordLink(): void {
    throw new Error('not used by these use cases');
  }

  moveLinks(): void {
    throw new Error('not used by these use cases');
  }

  markMerged(): void {
    throw new Error('not used by these use cases');
  }
}

export class FakeFacilityDirectory extends FacilityDirectory {
  constructor(private readonly known: readonly FacilityProfile[] = []) {
    super();
  }

  profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    useTx(db);
    return Promise.resolve(new Map(this.known.filter((f) => codes.includes(f.code)).map((f) => [f.code, f])));
  }

  upsert(_tx: Tx, _facility: FacilityRecord): void {
    throw new Error('not used by these use cases');
  }
}

export class InMemoryEmergencyAccessStore extends EmergencyAccessStore implements Snapshottable {
  rows: (EmergencyAccess & { readonly actorSubject: string })[] = [];

  /** `facilities` as the registry copy places them: code → province. */
  constructor(private readonly provinces: ReadonlyMap<string, string> = new Map()) {
    super();
  }

  record(tx: Tx, access: EmergencyAccess & { readonly actorSubject: string }): void {
    useTx(tx);
    this.rows.push(access);
  }

  summarise(db: Db, filter: EmergencyAccessFilter): Promise<EmergencyAccessSummary[]> {
    useTx(db);
    const groups = new Map<string, EmergencyAccess[]>();
    for (const a of this.matching(filter)) groups.set(a.facilityCode, [...(groups.get(a.facilityCode) ?? []), a]);
    return Promise.resolve(
      [...groups]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([facilityCode, list]) => ({ facilityCode, count: list.length, distinctPatients: new Set(list.map((a) => a.enterprisePatientId)).size })),
    );
  }

  list(db: Db, filter: EmergencyAccessFilter, limit: number): Promise<EmergencyAccess[]> {
    useTx(db);
    const sorted = this.matching(filter).sort((a, b) => a.facilityCode.localeCompare(b.facilityCode) || a.grantedAt.getTime() - b.grantedAt.getTime());
    return Promise.resolve(sorted.slice(0, limit).map(({ actorSubject: _, ...a }) => a));
  }

  snapshot(): () => void {
    const saved = [...this.rows];
    return () => (this.rows = saved);
  }

  private matching(f: EmergencyAccessFilter) {
    return this.rows.filter(
      (a) =>
        a.grantedAt >= f.from &&
        a.grantedAt < f.to &&
        (f.facilityCode === undefined || a.facilityCode === f.facilityCode) &&
        (f.provinceCode === undefined || this.provinces.get(a.facilityCode) === f.provinceCode),
    );
  }
}

export interface QueuedExpiry extends DueExpiry {
  publishedAt: Date | null;
  superseded: boolean;
}

/**
 * `consent_expiries` in memory, on a clock the spec moves. `hold` stands for another replica's open
 * transaction: rows it holds are skipped, as FOR UPDATE SKIP LOCKED skips them.
 */
export class InMemoryExpiryQueue extends ExpiryQueue implements Snapshottable {
  rows: QueuedExpiry[] = [];
  readonly held = new Set<string>();
  now = new Date('2026-03-01T03:00:00Z');

  add(expiry: DueExpiry, superseded = false): void {
    this.rows.push({ ...expiry, publishedAt: null, superseded });
  }

  claimDue(tx: Tx, limit: number): Promise<DueExpiry[]> {
    useTx(tx);
    const due = this.rows
      .filter((r) => r.publishedAt === null && !r.superseded && r.endsAt <= this.now && !this.held.has(`${r.consentId}/${r.version}`))
      .sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime())
      .slice(0, limit);
    return Promise.resolve(due.map(({ publishedAt: _p, superseded: _s, ...d }) => d));
  }

  markPublished(tx: Tx, expiries: readonly Pick<DueExpiry, 'consentId' | 'version'>[], at: Date): void {
    useTx(tx);
    for (const e of expiries) {
      const row = this.rows.find((r) => r.consentId === e.consentId && r.version === e.version);
      if (row) row.publishedAt = at;
    }
  }

  snapshot(): () => void {
    const saved = this.rows.map((r) => ({ ...r }));
    return () => (this.rows = saved);
  }
}
