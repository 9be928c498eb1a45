import { type Db, type Tx } from '@lienthong/persistence';
import { auditActor, type Actor } from '@lienthong/platform';
import { useTx, type Snapshottable } from '@lienthong/testing';
import { type FacilityLevel, type IdentifierSystem } from '@lienthong/vn-standards';
import {
  type IdentifierRecord,
  type IdentifierStatus,
  type LinkRecord,
  type NewIdentifier,
  type NormalisedDemographics,
  type PatientFacts,
  type PatientRecord,
} from '../../src/patients/domain/patient';
import { AuditTrail, type AuditEntry, type AuditRecord } from '../../src/patients/ports/audit-trail.port';
import { IdempotencyStore } from '../../src/patients/ports/idempotency-store.port';
import { MergeLog, type MergeRecord } from '../../src/patients/ports/merge-log.port';
import {
  PatientStore,
  type KeyedIdentifier,
  type PatientLookup,
  type PatientState,
  type RegistrationCandidate,
  type RegistrationQuery,
  type RegistrationReads,
  type RewrappedIdentifier,
} from '../../src/patients/ports/patient-store.port';
import { ReviewQueue, type ReviewItem } from '../../src/patients/ports/review-queue.port';
import { type SourceRecord } from '../../src/patients/domain/survivorship';
import { SensitiveFacilities } from '../../src/patients/ports/sensitive-facilities.port';

// The in-memory ports behave as the SQL in adapters/persistence does (same filters, orders and
// unique keys), so a use-case spec fails for the reasons the service would; the SQL itself is
// covered by patients.int-spec.ts against Postgres. Rows are replaced, never mutated, so a snapshot
// is a shallow copy of each table.

/** Copies every Map/Set/array field of `owner` and returns the function that puts them back. */
function snapshotTables<T extends object>(owner: T, tables: readonly (keyof T)[]): () => void {
  const copies = tables.map((name) => {
    const table = owner[name];
    if (table instanceof Map) return [name, new Map(table)] as const;
    if (table instanceof Set) return [name, new Set(table)] as const;
    if (Array.isArray(table)) return [name, [...(table as unknown[])]] as const;
    throw new Error(`cannot snapshot ${String(name)}`);
  });
  return () => {
    for (const [name, copy] of copies) Object.assign(owner, { [name]: copy });
  };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export interface IdempotentAnswer {
  readonly facilityCode: string;
  readonly key: string;
  readonly operation: string;
  readonly requestHash: Buffer;
  readonly response: unknown;
  readonly at: Date;
}

export class InMemoryIdempotencyStore extends IdempotencyStore implements Snapshottable {
  answers = new Map<string, IdempotentAnswer>();

  remember(tx: Tx, entry: IdempotentAnswer): void {
    useTx(tx);
    const id = `${entry.facilityCode}\u0000${entry.key}`;
    if (this.answers.has(id)) throw new Error('duplicate key value violates unique constraint "pk_idempotency_keys"');
    // Stored as jsonb: what is read back is the JSON of the answer, not the object itself.
    this.answers.set(id, { ...entry, response: JSON.parse(JSON.stringify(entry.response)) as unknown });
  }

  find(facilityCode: string, key: string): IdempotentAnswer | undefined {
    return this.answers.get(`${facilityCode}\u0000${key}`);
  }

  snapshot(): () => void {
    return snapshotTables(this, ['answers']);
  }
}

export class InMemoryPatientStore extends PatientStore implements Snapshottable {
  patients = new Map<string, PatientRecord>();
  identifiers = new Map<string, IdentifierRecord>();
  links = new Map<string, LinkRecord>();
  /** `hex(key)|patientId` pairs, as patient_blocking_keys' primary key. */
  blockingKeys = new Set<string>();
  /** patient_source_records by link id (stored without the facility level, which is the registry's). */
  sources = new Map<string, Omit<SourceRecord, 'facilityLevel'>>();
  /** patient_source_history, append-only. */
  history: (Omit<SourceRecord, 'facilityLevel'> & { readonly patientId: string })[] = [];

  /** `levels`: the registry's facility levels (facilities not listed are unknown to it); `sensitive`: its sensitive facilities. */
  constructor(
    private readonly idempotency: InMemoryIdempotencyStore,
    private readonly levels: ReadonlyMap<string, FacilityLevel> = new Map(),
    private readonly sensitive: ReadonlySet<string> = new Set(),
  ) {
    super();
  }

  snapshot(): () => void {
    return snapshotTables(this, ['patients', 'identifiers', 'links', 'blockingKeys', 'sources', 'history']);
  }

  /** Source records of the links `patientId` holds now, in link order, with their facility's level (as SOURCES_OF joins it). */
  sourcesOfNow(patientId: string): SourceRecord[] {
    return this.linksOfNow(patientId).flatMap((l) => {
      const s = this.sources.get(l.id);
      return s ? [{ ...s, facilityLevel: this.levels.get(s.facilityCode) }] : [];
    });
  }

  // Reads.

  async registrationReads(db: Db, q: RegistrationQuery): Promise<RegistrationReads> {
    useTx(db);
    const found = [...this.links.values()].find((l) => l.facilityCode === q.facilityCode && l.localId === q.localId);
    const link = found ? { id: found.id, patientId: found.patientId } : undefined;
    const cccdIndex = q.cccdIndex;
    const cccdHolder =
      link || cccdIndex === undefined
        ? undefined
        : [...this.identifiers.values()]
            .filter((i) => i.system === 'cccd' && i.status === 'active' && i.blindIndex.equals(cccdIndex))
            .map((i) => i.patientId)
            .sort()[0];
    const idempotent = q.idempotencyKey === undefined ? undefined : this.idempotency.find(q.facilityCode, q.idempotencyKey);
    return {
      link,
      cccdHolder,
      holderIdentifiers: cccdHolder === undefined ? [] : this.identifiersOfNow([cccdHolder]).map((i) => ({ system: i.system, blindIndex: i.blindIndex })),
      candidates: link || cccdHolder !== undefined ? [] : this.candidatesNow(q.blockingKeys, q.limit),
      idempotent: idempotent && { requestHash: idempotent.requestHash, operation: idempotent.operation, response: idempotent.response },
      facilityLevel: this.levels.get(q.facilityCode),
      facilitySensitive: this.sensitive.has(q.facilityCode),
    };
  }

  async resolve(db: Db, lookup: PatientLookup, sourcesOf: string | undefined): Promise<{ readonly asked: string; readonly facts: PatientFacts }[]> {
    useTx(db);
    const asked = Array.isArray(lookup)
      ? [...new Set(lookup as readonly string[])]
      : (() => {
          const { system, blindIndex } = lookup as { system: IdentifierSystem; blindIndex: Buffer };
          return [...new Set([...this.identifiers.values()].filter((i) => i.system === system && i.blindIndex.equals(blindIndex)).map((i) => i.patientId))];
        })();
    const answers: { asked: string; facts: PatientFacts }[] = [];
    for (const id of asked.sort()) {
      let patient = this.patients.get(id);
      if (!patient) continue;
      let hops = 0;
      // Follow merges at most 10 hops, as the recursive CTE does; a chain into a missing patient is broken.
      while (patient.status === 'merged' && hops < 10) {
        const next: PatientRecord | undefined = patient.mergedInto === null ? undefined : this.patients.get(patient.mergedInto);
        if (!next) break;
        patient = next;
        hops += 1;
      }
      if (patient.status === 'merged' && patient.mergedInto !== null && hops < 10) continue;
      answers.push({
        asked: id,
        facts: { patient, identifiers: this.identifiersOfNow([patient.id]), links: this.linksOfNow(patient.id), sources: this.sourcesOfNow(patient.id).filter((src) => src.facilityCode === sourcesOf) },
      });
    }
    return answers;
  }

  async findLink(db: Db, facilityCode: string, localId: string): Promise<LinkRecord | undefined> {
    useTx(db);
    return [...this.links.values()].find((l) => l.facilityCode === facilityCode && l.localId === localId);
  }

  async lockPatients(tx: Tx, ids: readonly string[]): Promise<PatientRecord[]> {
    useTx(tx);
    return ids.flatMap((id) => this.patients.get(id) ?? []).sort(byId);
  }

  async identifiersOf(db: Db, patientIds: readonly string[]): Promise<IdentifierRecord[]> {
    useTx(db);
    return this.identifiersOfNow(patientIds);
  }

  async stateOf(db: Db, patientId: string): Promise<PatientState> {
    useTx(db);
    return { identifiers: this.identifiersOfNow([patientId]), sources: this.sourcesOfNow(patientId) };
  }

  async linksOf(db: Db, patientId: string): Promise<LinkRecord[]> {
    useTx(db);
    return this.linksOfNow(patientId);
  }

  async linksStillOn(db: Db, linkIds: readonly string[], patientId: string): Promise<string[]> {
    useTx(db);
    return linkIds.filter((id) => this.links.get(id)?.patientId === patientId);
  }

  async patientIdsByIdentifier(db: Db, system: IdentifierSystem, blindIndex: Buffer, activeOnly: boolean): Promise<string[]> {
    useTx(db);
    const holders = [...this.identifiers.values()].filter((i) => i.system === system && i.blindIndex.equals(blindIndex) && (!activeOnly || i.status === 'active'));
    return [...new Set(holders.map((i) => i.patientId))];
  }

  async candidates(db: Db, blockingKeys: readonly Buffer[], limit: number): Promise<RegistrationCandidate[]> {
    useTx(db);
    return this.candidatesNow(blockingKeys, limit);
  }

  // Writes: applied at once (the fake unit of work restores the tables when the work throws).

  insertPatient(tx: Tx, id: string, d: NormalisedDemographics, now: Date): void {
    useTx(tx);
    if (this.patients.has(id)) throw new Error('duplicate key value violates unique constraint "pk_patients"');
    const { nameTokenKey: _derived, ...demographics } = d;
    this.patients.set(id, { ...demographics, id, status: 'active', mergedInto: null, createdAt: now, updatedAt: now, version: 1 });
  }

  updateDemographics(tx: Tx, id: string, d: NormalisedDemographics, now: Date): void {
    useTx(tx);
    const current = this.patients.get(id);
    if (!current) return;
    const { nameTokenKey: _derived, ...demographics } = d;
    this.patients.set(id, { ...current, ...demographics, updatedAt: now, version: current.version + 1 });
  }

  insertIdentifiers(tx: Tx, patientId: string, sourceFacility: string, identifiers: readonly NewIdentifier[], _now: Date): void {
    useTx(tx);
    for (const i of identifiers) {
      if (this.identifiers.has(i.id)) throw new Error('duplicate key value violates unique constraint "pk_patient_identifiers"');
      this.identifiers.set(i.id, { ...i, patientId, sourceFacility });
    }
  }

  setIdentifierStatus(tx: Tx, identifierId: string, status: IdentifierStatus, _now: Date): void {
    useTx(tx);
    const current = this.identifiers.get(identifierId);
    if (current) this.identifiers.set(identifierId, { ...current, status });
  }

  insertLink(tx: Tx, link: LinkRecord, _now: Date): void {
    useTx(tx);
    if ([...this.links.values()].some((l) => l.facilityCode === link.facilityCode && l.localId === link.localId)) {
      throw new Error('duplicate key value violates unique constraint "ux_facility_links_local"');
    }
    this.links.set(link.id, link);
  }

  saveSource(tx: Tx, patientId: string, source: SourceRecord): void {
    useTx(tx);
    if (!this.links.has(source.linkId)) throw new Error('insert or update on table "patient_source_records" violates foreign key constraint "fk_patient_source_records_link"');
    const { facilityLevel: _level, ...stored } = source;
    this.sources.set(source.linkId, stored);
    this.history = [...this.history, { ...stored, patientId }];
  }

  addBlockingKeys(tx: Tx, patientId: string, keys: readonly Buffer[]): void {
    useTx(tx);
    for (const key of keys) this.blockingKeys.add(`${key.toString('hex')}|${patientId}`);
  }

  copyBlockingKeys(tx: Tx, fromPatientId: string, toPatientId: string): void {
    useTx(tx);
    for (const key of this.blockingKeysOf(fromPatientId)) this.blockingKeys.add(`${key}|${toPatientId}`);
  }

  moveLinks(tx: Tx, linkIds: readonly string[], toPatientId: string, _now: Date): void {
    useTx(tx);
    for (const id of linkIds) {
      const link = this.links.get(id);
      if (link) this.links.set(id, { ...link, patientId: toPatientId });
    }
  }

  moveIdentifiers(tx: Tx, identifierIds: readonly string[], toPatientId: string, _now: Date, onlyFrom?: string): void {
    useTx(tx);
    for (const id of identifierIds) {
      const identifier = this.identifiers.get(id);
      if (identifier && (onlyFrom === undefined || identifier.patientId === onlyFrom)) this.identifiers.set(id, { ...identifier, patientId: toPatientId });
    }
  }

  setMerged(tx: Tx, id: string, survivorId: string | null, now: Date): void {
    useTx(tx);
    const current = this.patients.get(id);
    if (current) this.patients.set(id, { ...current, status: survivorId === null ? 'active' : 'merged', mergedInto: survivorId, updatedAt: now, version: current.version + 1 });
  }

  // Key rotation.

  async countIdentifiersByKey(db: Db): Promise<{ readonly keyId: string; readonly rows: number }[]> {
    useTx(db);
    const counts = new Map<string, number>();
    for (const i of this.identifiers.values()) counts.set(i.encrypted.keyId, (counts.get(i.encrypted.keyId) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([keyId, rows]) => ({ keyId, rows }));
  }

  async lockIdentifiersNotUnder(tx: Tx, keyId: string, afterId: string | undefined, limit: number): Promise<KeyedIdentifier[]> {
    useTx(tx);
    return [...this.identifiers.values()]
      .filter((i) => i.encrypted.keyId !== keyId && (afterId === undefined || i.id > afterId))
      .sort(byId)
      .slice(0, limit)
      .map(({ id, system, encrypted }) => ({ id, system, encrypted }));
  }

  rewrapIdentifiers(tx: Tx, rows: readonly RewrappedIdentifier[]): void {
    useTx(tx);
    for (const r of rows) {
      const current = this.identifiers.get(r.id);
      if (current && current.encrypted.keyId === r.fromKeyId) this.identifiers.set(r.id, { ...current, encrypted: r.encrypted });
    }
  }

  // For assertions.

  /** Hex blocking keys stored for the patient. */
  blockingKeysOf(patientId: string): string[] {
    return [...this.blockingKeys].filter((k) => k.endsWith(`|${patientId}`)).map((k) => k.slice(0, k.indexOf('|')));
  }

  identifiersOfNow(patientIds: readonly string[]): IdentifierRecord[] {
    return [...this.identifiers.values()].filter((i) => patientIds.includes(i.patientId));
  }

  linksOfNow(patientId: string): LinkRecord[] {
    return [...this.links.values()].filter((l) => l.patientId === patientId);
  }

  private candidatesNow(blockingKeys: readonly Buffer[], limit: number): RegistrationCandidate[] {
    const wanted = new Set(blockingKeys.map((k) => k.toString('hex')));
    const ids = [...new Set([...this.blockingKeys].filter((k) => wanted.has(k.slice(0, k.indexOf('|')))).map((k) => k.slice(k.indexOf('|') + 1)))].slice(0, limit);
    return ids.flatMap((id) => {
      const p = this.patients.get(id);
      if (!p || p.status !== 'active') return [];
      const identifiers = this.identifiersOfNow([id]);
      return [
        {
          id,
          fullName: p.fullName,
          birthDate: p.birthDate,
          sex: p.sex,
          provinceCode: p.provinceCode,
          communeCode: p.communeCode,
          phone: p.phone,
          cccdIndexes: identifiers.filter((i) => i.system === 'cccd' && i.status === 'active').map((i) => i.blindIndex),
          bhytIndexes: identifiers.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex),
        },
      ];
    });
  }
}

export interface StoredReviewItem extends ReviewItem {
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly mergeId: string | null;
}

/** The port's view of a stored item (the decision columns are written, never read back). */
function asReviewItem({ decidedBy: _by, decidedAt: _at, mergeId: _merge, ...item }: StoredReviewItem): ReviewItem {
  return item;
}

export class InMemoryReviewQueue extends ReviewQueue implements Snapshottable {
  items = new Map<string, StoredReviewItem>();

  snapshot(): () => void {
    return snapshotTables(this, ['items']);
  }

  open(tx: Tx, item: Omit<ReviewItem, 'status'>): void {
    useTx(tx);
    if (this.items.has(item.id)) throw new Error('duplicate key value violates unique constraint "pk_review_items"');
    // ux_review_items_open_conflict with ON CONFLICT DO NOTHING: one open conflict per link.
    const open = [...this.items.values()].some(
      (i) => i.kind === 'conflict' && item.kind === 'conflict' && i.status === 'open' && i.incomingPatientId === item.incomingPatientId && i.facilityCode === item.facilityCode && i.localId === item.localId,
    );
    if (open) return;
    this.items.set(item.id, { ...item, status: 'open', decidedBy: null, decidedAt: null, mergeId: null });
  }

  async lockForDecision(tx: Tx, id: string): Promise<ReviewItem | undefined> {
    useTx(tx);
    const item = this.items.get(id);
    return item && asReviewItem(item);
  }

  close(tx: Tx, id: string, decision: { status: 'confirmed' | 'rejected'; by: string; at: Date; mergeId: string | null }): void {
    useTx(tx);
    const item = this.items.get(id);
    if (item) this.items.set(id, { ...item, status: decision.status, decidedBy: decision.by, decidedAt: decision.at, mergeId: decision.mergeId });
  }

  async listOpen(db: Db, cursor: string | undefined, limit: number): Promise<ReviewItem[]> {
    useTx(db);
    return [...this.items.values()]
      .filter((i) => i.status === 'open' && (cursor === undefined || i.id > cursor))
      .sort(byId)
      .slice(0, limit)
      .map(asReviewItem);
  }
}

export interface StoredMerge extends MergeRecord {
  readonly undoneBy: string | null;
}

export class InMemoryMergeLog extends MergeLog implements Snapshottable {
  merges = new Map<string, StoredMerge>();

  snapshot(): () => void {
    return snapshotTables(this, ['merges']);
  }

  record(tx: Tx, merge: Omit<MergeRecord, 'undoneAt'>): void {
    useTx(tx);
    if (this.merges.has(merge.id)) throw new Error('duplicate key value violates unique constraint "pk_merges"');
    this.merges.set(merge.id, { ...merge, undoneAt: null, undoneBy: null });
  }

  async lockForUndo(tx: Tx, id: string): Promise<MergeRecord | undefined> {
    useTx(tx);
    const merge = this.merges.get(id);
    if (!merge) return undefined;
    const { undoneBy: _by, ...record } = merge;
    return record;
  }

  markUndone(tx: Tx, id: string, at: Date, by: string): void {
    useTx(tx);
    const merge = this.merges.get(id);
    if (merge) this.merges.set(id, { ...merge, undoneAt: at, undoneBy: by });
  }
}

/** An audit row as stored, with the patient it is about (the column `ofPatient` filters on). */
export interface StoredAuditRow extends AuditRecord {
  readonly patientId: string | null;
}

export class InMemoryAuditTrail extends AuditTrail implements Snapshottable {
  rows: StoredAuditRow[] = [];
  // A bigserial: ids taken by a rolled-back transaction are not given out again (not snapshotted).
  private nextId = 1;

  snapshot(): () => void {
    return snapshotTables(this, ['rows']);
  }

  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    useTx(tx);
    const who = auditActor(actor);
    const now = new Date();
    for (const e of entries) {
      this.rows.push({
        id: String(this.nextId++),
        occurredAt: now,
        actorKind: who.kind,
        actorSubject: who.subject,
        actingService: who.service,
        facilityCode: who.facilityCode,
        purposeOfUse: who.purposeOfUse,
        action: e.action,
        outcome: e.outcome,
        requestId: who.requestId,
        detail: { ...(e.detail ?? {}) },
        patientId: e.patientId,
      });
    }
  }

  async facilitiesOf(db: Db, patientId: string): Promise<string[]> {
    useTx(db);
    return [...new Set(this.rows.filter((r) => r.patientId === patientId).flatMap((r) => (r.facilityCode === null ? [] : [r.facilityCode])))];
  }

  async ofPatient(db: Db, patientId: string, cursor: string | undefined, limit: number, hiddenFacilities: readonly string[] = []): Promise<AuditRecord[]> {
    useTx(db);
    return this.rows
      .filter((r) => r.patientId === patientId && (cursor === undefined || Number(r.id) < Number(cursor)))
      .filter((r) => r.facilityCode === null || !hiddenFacilities.includes(r.facilityCode))
      .sort((a, b) => Number(b.id) - Number(a.id))
      .slice(0, limit)
      .map(({ patientId: _patient, ...record }) => record);
  }
}

/** The registry's answer to "which of these facilities are sensitive", from a fixed list. */
export class InMemorySensitiveFacilities extends SensitiveFacilities {
  constructor(private readonly sensitive: ReadonlySet<string>) {
    super();
  }

  async among(db: Db, facilityCodes: readonly string[]): Promise<ReadonlySet<string>> {
    useTx(db);
    return new Set(facilityCodes.filter((c) => this.sensitive.has(c)));
  }
}
