import { type Db, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { type FacilityProfile } from '../domain/decide';
import { type AuditEntry, AuditTrail } from '../ports/audit-trail.port';
import { ConsentChangeSignal } from '../ports/consent-change-signal.port';
import { FacilityDirectory, type FacilityRecord } from '../ports/facility-directory.port';
import { type AppliedMerge, MergeLog } from '../ports/merge-log.port';
import { type LinkSituation, PatientDirectory } from '../ports/patient-directory.port';

/*
 * The identity-event ports over Maps, for use-case specs: writes apply at once, reads see them (the
 * SQL behind the real ones is covered by identity-events.int-spec.ts).
 */

/** A transaction nobody reads: the fakes apply writes at once. */
export const unusedTx: Tx = {
  query: () => Promise.reject(new Error('the in-memory fakes send no SQL')),
  write: () => undefined,
  signal: () => undefined,
};

const linkKey = (facilityCode: string, localId: string) => `${facilityCode}/${localId}`;

export class InMemoryPatientDirectory extends PatientDirectory {
  /** enterprise id → the survivor it was merged into (null when not merged). */
  readonly patients = new Map<string, { mergedInto: string | null; knownSince: Date }>();
  /** `facility/localId` → enterprise id. */
  readonly links = new Map<string, string>();

  async linkSituation(_db: Db, link: { enterprisePatientId: string; facilityCode: string; localId: string }): Promise<LinkSituation> {
    const patient = this.patients.get(link.enterprisePatientId);
    return { known: patient !== undefined, mergedInto: patient?.mergedInto ?? null, heldBy: this.links.get(linkKey(link.facilityCode, link.localId)) };
  }

  async known(_db: Db, ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.patients.has(id)));
  }

  recordLink(_tx: Tx, link: { enterprisePatientId: string; facilityCode: string; localId: string }, at: Date): void {
    if (!this.patients.has(link.enterprisePatientId)) this.patients.set(link.enterprisePatientId, { mergedInto: null, knownSince: at });
    this.links.set(linkKey(link.facilityCode, link.localId), link.enterprisePatientId);
  }

  moveLinks(_tx: Tx, to: string, links: readonly { facilityCode: string; localId: string }[]): void {
    for (const link of links) this.links.set(linkKey(link.facilityCode, link.localId), to);
  }

  markMerged(_tx: Tx, mergedId: string, survivorId: string | null): void {
    const now = new Date();
    this.patients.set(mergedId, { mergedInto: survivorId, knownSince: this.patients.get(mergedId)?.knownSince ?? now });
    if (survivorId !== null && !this.patients.has(survivorId)) this.patients.set(survivorId, { mergedInto: null, knownSince: now });
  }

  linksOf(enterprisePatientId: string): string[] {
    return [...this.links].filter(([, owner]) => owner === enterprisePatientId).map(([key]) => key).sort();
  }
}

export class InMemoryFacilityDirectory extends FacilityDirectory {
  readonly facilities = new Map<string, FacilityRecord>();

  async profiles(_db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>> {
    const found = new Map<string, FacilityProfile>();
    for (const code of codes) {
      const facility = this.facilities.get(code);
      if (facility) found.set(code, { code: facility.code, level: facility.level, provinceCode: facility.provinceCode });
    }
    return found;
  }

  upsert(_tx: Tx, facility: FacilityRecord): void {
    const stored = this.facilities.get(facility.code);
    if (!stored || stored.version <= facility.version) this.facilities.set(facility.code, facility);
  }
}

export class InMemoryMergeLog extends MergeLog {
  /** consent id → the patient holding it now. */
  readonly consents = new Map<string, string>();
  readonly merges = new Map<string, AppliedMerge>();

  async find(_tx: Tx, mergeId: string): Promise<AppliedMerge | undefined> {
    return this.merges.get(mergeId);
  }

  async consentsHeldBy(_tx: Tx, enterprisePatientId: string): Promise<string[]> {
    return [...this.consents].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id);
  }

  recordMerge(_tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>): void {
    for (const id of merge.movedConsentIds) this.consents.set(id, merge.survivorId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: null });
  }

  recordUnmerge(_tx: Tx, merge: AppliedMerge, at: Date): void {
    for (const id of merge.movedConsentIds) this.consents.set(id, merge.mergedId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: at });
  }

  consentsOf(enterprisePatientId: string): string[] {
    return [...this.consents].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id).sort();
  }
}

export class RecordingAuditTrail extends AuditTrail {
  readonly entries: (AuditEntry & { readonly actor: Actor })[] = [];

  append(_tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    this.entries.push(...entries.map((entry) => ({ ...entry, actor })));
  }
}

export class RecordingChangeSignal extends ConsentChangeSignal {
  /** One entry per call: the patients whose cached state must go. */
  readonly signals: string[][] = [];

  changed(_tx: Tx, enterprisePatientIds: readonly string[]): void {
    this.signals.push([...enterprisePatientIds]);
  }
}
