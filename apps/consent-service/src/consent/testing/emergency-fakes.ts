import { OUTBOX_TABLE, OutboxWriter } from '@lienthong/messaging';
import { type Db, type Tx } from '@lienthong/persistence';
import { type FakeUnitOfWork, type Snapshottable, useTx } from '@lienthong/testing';
import { DeclareEmergencyAccessUseCase } from '../use-cases/declare-emergency-access/declare-emergency-access.use-case';
import { PublishDueExpiriesUseCase } from '../use-cases/publish-due-expiries/publish-due-expiries.use-case';
import { ReportEmergencyAccessesUseCase } from '../use-cases/report-emergency-accesses/report-emergency-accesses.use-case';
import {
  type EmergencyAccess,
  type EmergencyAccessFilter,
  EmergencyAccessStore,
  type EmergencyAccessSummary,
} from '../ports/emergency-access-store.port';
import { type DueExpiry, ExpiryQueue } from '../ports/expiry-queue.port';
import {
  fakeUnitOfWork,
  InMemoryConsentStore,
  InMemoryFacilityDirectory,
  InMemoryPatientDirectory,
  RecordingAuditTrail,
  RecordingChangeSignal,
  RecordingStateCache,
} from './consent-fakes';

/*
 * In-memory fakes of the break-the-glass and expiry ports, and the use cases wired on them over the
 * consent specs' shared fakes (unit of work, audit trail, change signal, cache, directories). The
 * repositories' SQL is covered by emergency-access.int-spec.ts on the real Postgres.
 */

const outbox = () => new OutboxWriter({ source: '/lienthong/consent-service-test' });

/** The CloudEvents ids of every committed outbox row, in order (the shared fake decodes everything else). */
export function committedEventIds(uow: FakeUnitOfWork): string[] {
  return uow.committed.flatMap((c) =>
    c.writes
      .filter((w) => w.sql.startsWith(`INSERT INTO ${OUTBOX_TABLE} `))
      .flatMap((w) => (w.params[2] as string[]).map((h) => (JSON.parse(h) as Record<string, string>)['ce_id'] ?? '')),
  );
}

/**
 * Break-the-glass and its report over fakes: `patients` are known to identity, `mergedInto` maps a
 * merged id to its survivor, `facilities` are code → province.
 */
export function emergencyKit(
  options: { readonly patients?: readonly string[]; readonly mergedInto?: Readonly<Record<string, string>>; readonly facilities?: Readonly<Record<string, string>> } = {},
) {
  const provinces = new Map(Object.entries(options.facilities ?? {}));
  const accesses = new InMemoryEmergencyAccessStore(provinces);
  const audit = new RecordingAuditTrail();
  const uow = fakeUnitOfWork([accesses, audit]);
  const cache = new RecordingStateCache();
  cache.committedSoFar = () => uow.commits('run');
  const facilities = new InMemoryFacilityDirectory();
  for (const [code, province] of provinces) facilities.add(code, 'basic', province);
  const patients = new InMemoryPatientDirectory(options.patients);
  const consents = new InMemoryConsentStore(patients);
  for (const [merged, survivor] of Object.entries(options.mergedInto ?? {})) consents.mergedInto.set(merged, survivor);
  return {
    uow,
    accesses,
    audit,
    cache,
    declare: new DeclareEmergencyAccessUseCase(uow, accesses, patients, consents, outbox(), audit, new RecordingChangeSignal(), cache, {
      consent: { emergencyAccessDefaultMinutes: 60, emergencyAccessMaxMinutes: 240 },
    }),
    report: new ReportEmergencyAccessesUseCase(uow, accesses, facilities, audit),
  };
}

/** The expiry job over an in-memory queue. */
export function expiryKit() {
  const queue = new InMemoryExpiryQueue();
  const audit = new RecordingAuditTrail();
  const uow = fakeUnitOfWork([queue, audit]);
  return { uow, queue, audit, publish: new PublishDueExpiriesUseCase(uow, queue, outbox(), audit, new RecordingChangeSignal()) };
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
    const groups = new Map<string, { count: number; patients: Set<string> }>();
    for (const a of this.matching(filter)) {
      const group = groups.get(a.facilityCode) ?? { count: 0, patients: new Set<string>() };
      groups.set(a.facilityCode, group);
      group.count += 1;
      group.patients.add(a.enterprisePatientId);
    }
    return Promise.resolve(
      [...groups]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([facilityCode, g]) => ({ facilityCode, count: g.count, distinctPatients: g.patients.size })),
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
