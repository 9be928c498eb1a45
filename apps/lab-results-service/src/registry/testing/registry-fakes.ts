import { type AuditEntry, AuditTrail, type Db, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { type FacilityLab, type FacilityRecord } from '../domain/facility-lab';
import { FacilityLabs } from '../ports/facility-labs.port';
import { type AppliedMerge, MergeLog } from '../ports/merge-log.port';
import { type FacilityLink, type LinkSituation, PatientLinks } from '../ports/patient-links.port';

/*
 * The registry ports over Maps, for use-case specs (here and in the reuse context): writes apply at
 * once, reads see them. The SQL behind the real ones is covered by registry.int-spec.ts.
 */

/** A transaction nobody reads: the fakes apply writes at once. */
export const unusedTx: Tx = {
  query: () => Promise.reject(new Error('the in-memory fakes send no SQL')),
  write: () => undefined,
  signal: () => undefined,
};

const linkKey = (facilityCode: string, localId: string) => `${facilityCode}/${localId}`;

export class InMemoryPatientLinks extends PatientLinks {
  /** enterprise id → the survivor it was merged into (null when not merged). */
  readonly patients = new Map<string, { mergedInto: string | null; knownSince: Date }>();
  /** `facility/localId` → enterprise id. */
  readonly links = new Map<string, string>();

  async resolve(_db: Db, enterprisePatientId: string): Promise<string> {
    let id = enterprisePatientId;
    for (let hops = 0; hops < 16; hops++) {
      const next = this.patients.get(id)?.mergedInto;
      if (!next) break;
      id = next;
    }
    return id;
  }

  async hasLink(db: Db, enterprisePatientId: string, facilityCode: string): Promise<boolean> {
    const holder = await this.resolve(db, enterprisePatientId);
    return [...this.links].some(([key, owner]) => owner === holder && key.startsWith(`${facilityCode}/`));
  }

  async findByLocalId(db: Db, link: FacilityLink): Promise<string | undefined> {
    const owner = this.links.get(linkKey(link.facilityCode, link.localId));
    return owner === undefined ? undefined : this.resolve(db, owner);
  }

  async known(_db: Db, ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.patients.has(id)));
  }

  async linkSituation(_db: Db, link: FacilityLink & { enterprisePatientId: string }): Promise<LinkSituation> {
    const patient = this.patients.get(link.enterprisePatientId);
    return { known: patient !== undefined, mergedInto: patient?.mergedInto ?? null, heldBy: this.links.get(linkKey(link.facilityCode, link.localId)) };
  }

  recordLink(_tx: Tx, link: FacilityLink & { enterprisePatientId: string }, at: Date): void {
    if (!this.patients.has(link.enterprisePatientId)) this.patients.set(link.enterprisePatientId, { mergedInto: null, knownSince: at });
    this.links.set(linkKey(link.facilityCode, link.localId), link.enterprisePatientId);
  }

  moveLinks(_tx: Tx, to: string, links: readonly FacilityLink[]): void {
    for (const link of links) this.links.set(linkKey(link.facilityCode, link.localId), to);
  }

  markMerged(_tx: Tx, enterprisePatientId: string, survivorId: string | null): void {
    const now = new Date();
    this.patients.set(enterprisePatientId, { mergedInto: survivorId, knownSince: this.patients.get(enterprisePatientId)?.knownSince ?? now });
    if (survivorId !== null && !this.patients.has(survivorId)) this.patients.set(survivorId, { mergedInto: null, knownSince: now });
  }

  linksOf(enterprisePatientId: string): string[] {
    return [...this.links].filter(([, owner]) => owner === enterprisePatientId).map(([key]) => key).sort();
  }
}

export class InMemoryFacilityLabs extends FacilityLabs {
  readonly facilities = new Map<string, FacilityRecord>();

  /** Seeds facilities as the registry would have announced them (version 1 unless given). */
  constructor(seed: readonly (FacilityLab & { version?: number })[] = []) {
    super();
    for (const f of seed) this.facilities.set(f.code, { ...f, version: f.version ?? 1 });
  }

  async profiles(_db: Db, codes: readonly string[]): Promise<Map<string, FacilityLab>> {
    const found = new Map<string, FacilityLab>();
    for (const code of codes) {
      const stored = this.facilities.get(code);
      if (stored) {
        const { version: _version, ...profile } = stored;
        found.set(code, profile);
      }
    }
    return found;
  }

  upsert(_tx: Tx, facility: FacilityRecord): void {
    const stored = this.facilities.get(facility.code);
    if (!stored || stored.version <= facility.version) this.facilities.set(facility.code, facility);
  }
}

export class InMemoryMergeLog extends MergeLog {
  /** result id → the patient holding it now. */
  readonly results = new Map<string, string>();
  readonly merges = new Map<string, AppliedMerge>();

  async find(_tx: Tx, mergeId: string): Promise<AppliedMerge | undefined> {
    return this.merges.get(mergeId);
  }

  async resultsHeldBy(_tx: Tx, enterprisePatientId: string): Promise<string[]> {
    return [...this.results].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id).sort();
  }

  recordMerge(_tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>): void {
    for (const id of merge.movedResultIds) this.results.set(id, merge.survivorId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: null });
  }

  recordUnmerge(_tx: Tx, merge: AppliedMerge, at: Date): void {
    for (const id of merge.movedResultIds) this.results.set(id, merge.mergedId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: at });
  }

  resultsOf(enterprisePatientId: string): string[] {
    return [...this.results].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id).sort();
  }
}

export class RecordingAuditTrail extends AuditTrail {
  readonly entries: (AuditEntry & { readonly actor: Actor })[] = [];

  append(_tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    this.entries.push(...entries.map((entry) => ({ ...entry, actor })));
  }
}
