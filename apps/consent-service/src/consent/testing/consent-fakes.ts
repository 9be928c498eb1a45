import { outboxEventsOf, OutboxWriter } from '@lienthong/messaging';
import { AuditTrail, type AuditEntry, type Db, type Tx } from '@lienthong/persistence';
import { type Actor, auditActor, type AuditActor } from '@lienthong/platform';
import { FakeUnitOfWork, type Snapshottable, useTx } from '@lienthong/testing';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { type ConsentVersion } from '../domain/consent';
import { type FacilityProfile } from '../domain/decide';
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

/** How RecordingChangeSignal names a changed patient on the Tx. */
const CHANGED = 'consent-changed:';

/** A unit of work over `ports` (FakeUnitOfWork, @lienthong/testing) whose `events()` decodes what the real OutboxWriter queued. */
export function fakeUnitOfWork(ports: readonly Snapshottable[]): FakeUnitOfWork {
  return new FakeUnitOfWork(ports, { events: outboxEventsOf });
}

/** Patient ids the committed units of work signalled as changed (RecordingChangeSignal), in order. */
export function changedPatients(uow: FakeUnitOfWork): string[] {
  return uow.committed.flatMap((c) => c.signals.filter((s) => s.startsWith(CHANGED)).map((s) => s.slice(CHANGED.length)));
}

export interface ExpiryRow {
  readonly consentId: string;
  readonly version: number;
  readonly endsAt: Date;
  readonly superseded: boolean;
  readonly publishedAt: Date | null;
}

/** ConsentStore over Maps; the care relationships (`patient_links`) are `directory`'s. */
export class InMemoryConsentStore extends ConsentStore implements Snapshottable {
  consents = new Map<string, Omit<StoredConsent, 'versions'>>();
  versions: (ConsentVersion & { readonly recordedBySubject: string })[] = [];
  expiries: ExpiryRow[] = [];
  /** `patients.merged_into`: merged id → survivor. */
  mergedInto = new Map<string, string>();

  constructor(private readonly directory: InMemoryPatientDirectory = new InMemoryPatientDirectory()) {
    super();
  }

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
      new Set([...this.directory.facilitiesOf(enterprisePatientId), ...this.versions.filter((v) => owned.has(v.consentId)).map((v) => v.evidence.recordedAtFacility)]),
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

const linkKey = (facilityCode: string, localId: string) => `${facilityCode}/${localId}`;

/**
 * `patients` and `patient_links`: the patients identity announced (merged ones pointing at their
 * survivor) and where each is registered. `known` seeds patients announced before the spec.
 */
export class InMemoryPatientDirectory extends PatientDirectory {
  /** enterprise id → the survivor it was merged into (null when not merged). */
  readonly patients = new Map<string, { mergedInto: string | null; knownSince: Date }>();
  /** `facility/localId` → enterprise id. */
  readonly links = new Map<string, string>();

  constructor(known: Iterable<string> = []) {
    super();
    this.announce(...known);
  }

  /** Patients identity announced before the spec (not merged, no link). */
  announce(...enterprisePatientIds: string[]): this {
    for (const id of enterprisePatientIds) this.patients.set(id, { mergedInto: null, knownSince: new Date(0) });
    return this;
  }

  linkSituation(db: Db, link: { enterprisePatientId: string; facilityCode: string; localId: string }): Promise<LinkSituation> {
    useTx(db);
    const patient = this.patients.get(link.enterprisePatientId);
    return Promise.resolve({ known: patient !== undefined, mergedInto: patient?.mergedInto ?? null, heldBy: this.links.get(linkKey(link.facilityCode, link.localId)) });
  }

  known(db: Db, ids: readonly string[]): Promise<Set<string>> {
    useTx(db);
    return Promise.resolve(new Set(ids.filter((id) => this.patients.has(id))));
  }

  registeredAt(db: Db, ids: readonly string[], facilityCode: string): Promise<boolean> {
    useTx(db);
    return Promise.resolve(ids.some((id) => this.facilitiesOf(id).includes(facilityCode)));
  }

  recordLink(tx: Tx, link: { enterprisePatientId: string; facilityCode: string; localId: string }, at: Date): void {
    useTx(tx);
    if (!this.patients.has(link.enterprisePatientId)) this.patients.set(link.enterprisePatientId, { mergedInto: null, knownSince: at });
    this.links.set(linkKey(link.facilityCode, link.localId), link.enterprisePatientId);
  }

  moveLinks(tx: Tx, to: string, links: readonly { facilityCode: string; localId: string }[]): void {
    useTx(tx);
    for (const link of links) this.links.set(linkKey(link.facilityCode, link.localId), to);
  }

  markMerged(tx: Tx, mergedId: string, survivorId: string | null): void {
    useTx(tx);
    const now = new Date();
    this.patients.set(mergedId, { mergedInto: survivorId, knownSince: this.patients.get(mergedId)?.knownSince ?? now });
    if (survivorId !== null && !this.patients.has(survivorId)) this.patients.set(survivorId, { mergedInto: null, knownSince: now });
  }

  /** Registers a patient identity announced before the spec at `facilityCode` (a care relationship). */
  link(enterprisePatientId: string, facilityCode: string, localId = `BN-${enterprisePatientId}`): this {
    if (!this.patients.has(enterprisePatientId)) this.announce(enterprisePatientId);
    this.links.set(linkKey(facilityCode, localId), enterprisePatientId);
    return this;
  }

  /** The facilities where the patient is registered. */
  facilitiesOf(enterprisePatientId: string): string[] {
    return [...new Set([...this.links].filter(([, owner]) => owner === enterprisePatientId).map(([key]) => key.slice(0, key.indexOf('/'))))];
  }

  /** The patient's links, `facility/localId`, sorted. */
  linksOf(enterprisePatientId: string): string[] {
    return [...this.links].filter(([, owner]) => owner === enterprisePatientId).map(([key]) => key).sort();
  }
}

/** The registry copy (`facilities`), kept from identity.facility.v1: a newer version wins. */
export class InMemoryFacilityDirectory extends FacilityDirectory {
  readonly facilities = new Map<string, FacilityRecord>();

  /** A facility the registry copy already holds (version 1, not sensitive). */
  add(code: string, level: FacilityLevel = 'basic', provinceCode = '79'): this {
    this.facilities.set(code, { code, level, provinceCode, sensitive: false, version: 1 });
    return this;
  }

  profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    useTx(db);
    const found = new Map<string, FacilityProfile>();
    for (const code of codes) {
      const facility = this.facilities.get(code);
      if (facility) found.set(code, { code: facility.code, level: facility.level, provinceCode: facility.provinceCode });
    }
    return Promise.resolve(found);
  }

  upsert(tx: Tx, facility: FacilityRecord): void {
    useTx(tx);
    const stored = this.facilities.get(facility.code);
    if (!stored || stored.version <= facility.version) this.facilities.set(facility.code, facility);
  }
}

export type AuditRow = AuditEntry & { readonly actor: AuditActor };

/** The shared audit trail as rows (the actor as `audit_log` records it), rolled back with the unit of work. */
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

/**
 * The change signal: every call in `signals` (the patients as given), and each patient as a signal on
 * the Tx, delivered only if the work commits (`changedPatients`).
 */
export class RecordingChangeSignal extends ConsentChangeSignal {
  readonly signals: string[][] = [];

  changed(tx: Tx, enterprisePatientIds: readonly string[]): void {
    useTx(tx);
    this.signals.push([...enterprisePatientIds]);
    for (const id of new Set(enterprisePatientIds)) tx.signal(`${CHANGED}${id}`);
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

/**
 * Every consent use case over one set of fakes: `patients` known, each registered at `registeredAt`
 * (default: the first of `facilities`, where the specs record), `facilities` in the registry copy.
 */
export function consentKit(options: { readonly patients?: readonly string[]; readonly facilities?: readonly string[]; readonly registeredAt?: readonly string[] } = {}) {
  const patients = new InMemoryPatientDirectory(options.patients);
  for (const id of options.patients ?? []) for (const code of options.registeredAt ?? options.facilities?.slice(0, 1) ?? []) patients.link(id, code);
  const store = new InMemoryConsentStore(patients);
  const facilities = new InMemoryFacilityDirectory();
  for (const code of options.facilities ?? []) facilities.add(code);
  const audit = new RecordingAuditTrail();
  const signal = new RecordingChangeSignal();
  const cache = new RecordingStateCache();
  const uow = fakeUnitOfWork([store, audit]);
  cache.committedSoFar = () => uow.commits('run');
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
    signalled: () => changedPatients(uow),
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
