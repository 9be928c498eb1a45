import { decodeCloudEvent } from '@lienthong/contracts';
import { OUTBOX_TABLE, OutboxWriter } from '@lienthong/messaging';
import { type Db, type RunOptions, type Tx, UnitOfWork } from '@lienthong/persistence';
import { type Actor, auditActor, type AuditActor } from '@lienthong/platform';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { type ConsentVersion } from '../domain/consent';
import { type FacilityProfile } from '../domain/decide';
import { AuditTrail, type AuditEntry } from '../ports/audit-trail.port';
import { ConsentChangeSignal } from '../ports/consent-change-signal.port';
import { type CachedState, ConsentStateCache } from '../ports/consent-state-cache.port';
import { type ConsentPage, ConsentStore, type StoredConsent } from '../ports/consent-store.port';
import { FacilityDirectory, type FacilityRecord } from '../ports/facility-directory.port';
import { type LinkSituation, PatientDirectory } from '../ports/patient-directory.port';
import { ConsentAmender } from '../use-cases/amend-consent';
import { type EvidenceInput, type ScopeInput } from '../use-cases/consent-statement';
import { ChangeConsentUseCase } from '../use-cases/change-consent/change-consent.use-case';
import { GetConsentUseCase } from '../use-cases/get-consent/get-consent.use-case';
import { ListPatientConsentsUseCase } from '../use-cases/list-patient-consents/list-patient-consents.use-case';
import { RecordConsentUseCase } from '../use-cases/record-consent/record-consent.use-case';
import { WithdrawConsentUseCase } from '../use-cases/withdraw-consent/withdraw-consent.use-case';

/*
 * In-memory fakes of the consent ports, for the use cases' unit specs (no Nest, no SQL): the
 * repositories' SQL is covered by consent.int-spec.ts on the real Postgres.
 */

/** An in-memory port the fake unit of work puts back as it was when the work throws. */
export interface Snapshottable {
  snapshot(): () => void;
}

interface QueuedWrite {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The `Tx` a use case receives: it sends no SQL, keeps what the real OutboxWriter queues, and refuses use after its unit of work. */
export class FakeTx implements Tx {
  readonly writes: QueuedWrite[] = [];
  readonly signals: string[] = [];
  private open = true;

  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('the in-memory ports send no SQL; a use case must not query the Tx itself'));
  }

  write(build: (p: (value: unknown) => string) => string): void {
    this.assertOpen();
    const params: unknown[] = [];
    const sql = build((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    this.writes.push({ sql, params });
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

/** What in-memory ports check of the `Db`/`Tx` they are handed: a live FakeTx. */
function useTx(db: Db): void {
  if (!(db instanceof FakeTx)) throw new Error('in-memory ports only accept the FakeTx of a FakeUnitOfWork');
  db.assertOpen();
}

export interface PublishedEvent {
  readonly topic: string;
  readonly key: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export interface CommittedWork {
  readonly kind: 'run' | 'read';
  readonly locks: readonly bigint[];
  readonly writes: readonly QueuedWrite[];
  readonly signals: readonly string[];
}

/** `UnitOfWork` over in-memory ports: they apply writes at once; a throw puts every port back and drops the queued outbox rows. */
export class FakeUnitOfWork extends UnitOfWork {
  readonly committed: CommittedWork[] = [];
  rolledBack = 0;

  constructor(private readonly ports: readonly Snapshottable[]) {
    super();
  }

  run<T>(work: (tx: Tx) => Promise<T>, options?: RunOptions): Promise<T> {
    return this.execute('run', work, options?.locks ?? []);
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.execute('read', work, []);
  }

  /** Every event committed so far, in commit order, decoded as the relay would publish it. */
  events(): PublishedEvent[] {
    return this.committed.flatMap((c) => c.writes.filter((w) => w.sql.startsWith(`INSERT INTO ${OUTBOX_TABLE} `)).flatMap(decodeOutboxInsert));
  }

  private async execute<T>(kind: CommittedWork['kind'], work: (tx: Tx) => Promise<T>, locks: readonly bigint[]): Promise<T> {
    const restores = this.ports.map((p) => p.snapshot());
    const tx = new FakeTx();
    try {
      const result = await work(tx);
      this.committed.push({ kind, locks, writes: tx.writes, signals: tx.signals });
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

function decodeOutboxInsert(write: QueuedWrite): PublishedEvent[] {
  const [topics, keys, headers, values] = write.params as [string[], string[], string[], Buffer[]];
  return topics.map((topic, i) => {
    const event = decodeCloudEvent({ headers: JSON.parse(headers[i] ?? '{}') as Record<string, string>, value: values[i] ?? null });
    return { topic, key: keys[i] ?? '', type: event.type, data: event.data as Record<string, unknown> };
  });
}

export interface ExpiryRow {
  readonly consentId: string;
  readonly version: number;
  readonly endsAt: Date;
  readonly superseded: boolean;
  readonly publishedAt: Date | null;
}

/** ConsentStore over Maps; `careLinks` stands for `patient_links` (patient → facilities where registered). */
export class InMemoryConsentStore extends ConsentStore implements Snapshottable {
  consents = new Map<string, Omit<StoredConsent, 'versions'>>();
  versions: (ConsentVersion & { readonly recordedBySubject: string })[] = [];
  expiries: ExpiryRow[] = [];
  careLinks = new Map<string, string[]>();
  /** `patients.merged_into`: merged id → survivor. */
  mergedInto = new Map<string, string>();

  snapshot(): () => void {
    const [consents, versions, expiries] = [new Map(this.consents), [...this.versions], [...this.expiries]];
    return () => {
      this.consents = consents;
      this.versions = versions;
      this.expiries = expiries;
    };
  }

  insertConsent(tx: Tx, consent: { readonly consentId: string; readonly enterprisePatientId: string; readonly createdAt: Date }): void {
    useTx(tx);
    if (this.consents.has(consent.consentId)) throw new Error('duplicate key value violates unique constraint "pk_consents"');
    this.consents.set(consent.consentId, { ...consent, originalPatientId: consent.enterprisePatientId });
  }

  appendVersion(tx: Tx, version: ConsentVersion, recordedBySubject: string): void {
    useTx(tx);
    if (this.versions.some((v) => v.consentId === version.consentId && v.version === version.version)) {
      throw new Error('duplicate key value violates unique constraint "pk_consent_versions"');
    }
    this.versions.push({ ...version, recordedBySubject });
  }

  scheduleExpiry(tx: Tx, expiry: { readonly consentId: string; readonly version: number; readonly endsAt: Date }): void {
    useTx(tx);
    this.expiries.push({ ...expiry, superseded: false, publishedAt: null });
  }

  supersedeExpiries(tx: Tx, consentId: string, beforeVersion: number): void {
    useTx(tx);
    this.expiries = this.expiries.map((e) => (e.consentId === consentId && e.version < beforeVersion && e.publishedAt === null ? { ...e, superseded: true } : e));
  }

  findById(db: Db, consentId: string): Promise<StoredConsent | undefined> {
    useTx(db);
    return Promise.resolve(this.whole(consentId));
  }

  listByPatient(db: Db, enterprisePatientId: string, page: { readonly cursor?: string | undefined; readonly limit: number }): Promise<ConsentPage> {
    useTx(db);
    const ids = [...this.consents.values()]
      .filter((c) => c.enterprisePatientId === enterprisePatientId && (page.cursor === undefined || c.consentId < page.cursor))
      .map((c) => c.consentId)
      .sort()
      .reverse();
    const items = ids.slice(0, page.limit).flatMap((id) => this.whole(id) ?? []);
    return Promise.resolve({ items, nextCursor: ids.length > page.limit ? (items[items.length - 1]?.consentId ?? null) : null });
  }

  holderOf(db: Db, enterprisePatientId: string): Promise<string> {
    useTx(db);
    let holder = enterprisePatientId;
    for (let depth = 0; depth < 10 && this.mergedInto.has(holder); depth += 1) holder = this.mergedInto.get(holder) ?? holder;
    return Promise.resolve(holder);
  }

  relatedFacilities(db: Db, enterprisePatientId: string): Promise<ReadonlySet<string>> {
    useTx(db);
    const owned = new Set([...this.consents.values()].filter((c) => c.enterprisePatientId === enterprisePatientId).map((c) => c.consentId));
    return Promise.resolve(
      new Set([...(this.careLinks.get(enterprisePatientId) ?? []), ...this.versions.filter((v) => owned.has(v.consentId)).map((v) => v.evidence.recordedAtFacility)]),
    );
  }

  /** What a merge does to the table (helper for specs): the consent now belongs to another patient. */
  moveConsent(consentId: string, to: string): void {
    const consent = this.consents.get(consentId);
    if (consent) this.consents.set(consentId, { ...consent, enterprisePatientId: to });
  }

  private whole(consentId: string): StoredConsent | undefined {
    const consent = this.consents.get(consentId);
    if (consent === undefined) return undefined;
    const versions = this.versions
      .filter((v) => v.consentId === consentId)
      .sort((a, b) => a.version - b.version)
      .map(({ recordedBySubject: _subject, ...v }) => ({ ...v, enterprisePatientId: consent.enterprisePatientId }));
    return { ...consent, versions };
  }
}

/** The patients identity announced: only `known` is used by the consent use cases. */
export class InMemoryPatientDirectory extends PatientDirectory {
  constructor(readonly ids = new Set<string>()) {
    super();
  }

  known(db: Db, enterprisePatientIds: readonly string[]): Promise<Set<string>> {
    useTx(db);
    return Promise.resolve(new Set(enterprisePatientIds.filter((id) => this.ids.has(id))));
  }

  linkSituation(): Promise<LinkSituation> {
    return Promise.reject(new Error('not used by the consent use cases'));
  }

  recordLink(): void {
    throw new Error('not used by the consent use cases');
  }

  moveLinks(): void {
    throw new Error('not used by the consent use cases');
  }

  markMerged(): void {
    throw new Error('not used by the consent use cases');
  }
}

/** The registry copy: profiles of the codes it holds. */
export class InMemoryFacilityDirectory extends FacilityDirectory {
  readonly facilities = new Map<string, FacilityProfile>();

  add(code: string, level: FacilityLevel = 'basic', provinceCode = '79'): this {
    this.facilities.set(code, { code, level, provinceCode });
    return this;
  }

  profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    useTx(db);
    return Promise.resolve(new Map(codes.flatMap((c) => (this.facilities.has(c) ? [[c, this.facilities.get(c) as FacilityProfile] as const] : []))));
  }

  upsert(_tx: Tx, _facility: FacilityRecord): void {
    throw new Error('not used by the consent use cases');
  }
}

export type AuditRow = AuditEntry & { readonly actor: AuditActor };

/** The audit trail as rows, rolled back with the unit of work. */
export class RecordingAuditTrail extends AuditTrail implements Snapshottable {
  rows: AuditRow[] = [];

  snapshot(): () => void {
    const rows = [...this.rows];
    return () => {
      this.rows = rows;
    };
  }

  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    useTx(tx);
    this.rows.push(...entries.map((e) => ({ ...e, actor: auditActor(actor) })));
  }
}

/** Signals as the FakeTx keeps them: delivered only if the work commits (CommittedWork.signals). */
export class RecordingChangeSignal extends ConsentChangeSignal {
  changed(tx: Tx, enterprisePatientIds: readonly string[]): void {
    useTx(tx);
    for (const id of new Set(enterprisePatientIds)) tx.signal(`consent-changed:${id}`);
  }
}

/** The cache as the writers use it: which patients were invalidated, in order. */
export class RecordingStateCache extends ConsentStateCache {
  readonly invalidated: string[][] = [];
  /** How many units of work had committed at each invalidation (an invalidation before the commit could be re-cached stale). */
  readonly commitsSeen: number[] = [];
  committedSoFar: () => number = () => 0;

  getMany(enterprisePatientIds: readonly string[]): Promise<CachedState[]> {
    return Promise.resolve(enterprisePatientIds.map((id) => ({ enterprisePatientId: id, state: undefined, generation: null })));
  }

  putMany(): Promise<void> {
    return Promise.resolve();
  }

  invalidate(enterprisePatientIds: readonly string[]): Promise<void> {
    this.invalidated.push([...enterprisePatientIds]);
    this.commitsSeen.push(this.committedSoFar());
    return Promise.resolve();
  }
}

/** Every consent use case over one set of fakes. */
export function consentKit(options: { readonly patients?: readonly string[]; readonly facilities?: readonly string[] } = {}) {
  const store = new InMemoryConsentStore();
  const patients = new InMemoryPatientDirectory(new Set(options.patients ?? []));
  const facilities = new InMemoryFacilityDirectory();
  for (const code of options.facilities ?? []) facilities.add(code);
  const audit = new RecordingAuditTrail();
  const signal = new RecordingChangeSignal();
  const cache = new RecordingStateCache();
  const uow = new FakeUnitOfWork([store, audit]);
  cache.committedSoFar = () => uow.committed.filter((c) => c.kind === 'run').length;
  const outbox = new OutboxWriter({ source: '/lienthong/consent-service-test' });
  const amender = new ConsentAmender(uow, store, outbox, audit, signal, cache);
  return {
    store,
    patients,
    facilities,
    audit,
    cache,
    uow,
    record: new RecordConsentUseCase(uow, store, patients, facilities, outbox, audit, signal, cache),
    change: new ChangeConsentUseCase(amender, facilities),
    withdraw: new WithdrawConsentUseCase(amender),
    get: new GetConsentUseCase(uow, store, audit),
    list: new ListPatientConsentsUseCase(uow, store, patients, audit),
    /** Patient ids signalled as changed by committed work, in order. */
    signalled: () => uow.committed.flatMap((c) => c.signals.filter((s) => s.startsWith('consent-changed:')).map((s) => s.slice('consent-changed:'.length))),
  };
}

export type ConsentKit = ReturnType<typeof consentKit>;

export function facilityActor(facilityCode: string, subject = `his-${facilityCode}`): Actor {
  return { kind: 'facility', facilityCode, subject, scopes: ['system/Consent.c', 'system/Consent.rs'], purposeOfUse: 'treatment', requestId: `req-${subject}` };
}

export function personActor(role: 'data-steward' | 'ministry-analyst' | 'provincial-analyst', subject = `${role}-1`): Actor {
  return { kind: 'person', role, subject, scopes: ['system/Consent.rs'], purposeOfUse: 'public-health', ...(role === 'provincial-analyst' ? { province: '79' } : {}) };
}

export function serviceActor(service: string, actingForFacility?: string): Actor {
  return { kind: 'service', service, subject: service, scopes: ['system/Consent.c', 'system/Consent.rs'], purposeOfUse: 'treatment', ...(actingForFacility ? { actingForFacility } : {}) };
}

/** Statement parts as a facility's HIS would send them (override what a test is about). */
export const statement = {
  scope: (overrides: Partial<ScopeInput> = {}): ScopeInput => ({
    purposes: ['treatment', 'referral'],
    categories: ['lab', 'imaging'],
    grantees: [{ kind: 'care-relationship' }],
    ...overrides,
  }),
  evidence: (overrides: Partial<EvidenceInput> = {}): EvidenceInput => ({
    channel: 'in-person',
    recordedBy: 'NV-0042',
    informedOfSensitivity: true,
    ...overrides,
  }),
};
