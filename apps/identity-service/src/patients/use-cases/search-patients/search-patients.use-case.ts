import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { AuditWriter, type AuditEntry } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { identifierQuery } from '../../domain/identifier-query';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { PatientReader, type ResolvedPatient } from '../../persistence/patient-reader';
import { PatientRepository } from '../../persistence/patient.repository';
import { disclosableLinks } from '../../visibility/link-disclosure';
import { patientView, type PatientView } from '../../visibility/patient-view';

export type PatientSearch =
  | { readonly by: 'identifier'; readonly system: string; readonly value: string }
  | { readonly by: 'local-id'; readonly facilityCode: string; readonly localId: string };

export interface PatientSearchResult {
  readonly items: readonly PatientView[];
  readonly resolved: readonly ResolvedPatient[];
}

/**
 * Finds patients by identifier (blind index) or by a facility's local id. Without the
 * cross-reference scope a facility finds only patients it holds itself: learning that a CCCD is
 * known elsewhere, or another facility's local ids, is cross-facility knowledge. Every search is
 * audited, one row per patient returned (or one not-found row).
 */
@Injectable()
export class SearchPatientsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly patients: PatientRepository,
    private readonly reader: PatientReader,
    private readonly crypto: IdentifierCrypto,
    private readonly audit: AuditWriter,
  ) {}

  async execute(actor: Actor, search: PatientSearch): Promise<PatientSearchResult> {
    if (search.by === 'local-id' && search.facilityCode !== actor.facilityCode && !actor.canCrossReference) {
      throw new PatientError(PatientErrorCode.CrossFacilityForbidden, 'looking up another facility’s local ids needs the cross-reference scope');
    }
    const query = search.by === 'identifier' ? identifierQuery(search.system, search.value) : undefined;
    const blindIndex = query ? this.crypto.blindIndex(query.system, query.indexValue) : undefined;
    // No transaction: each statement is atomic on its own, and the audit row is committed before the
    // answer leaves (a failed audit insert fails the request). Round trips: the read (identifier →
    // patients → merge survivors → identifiers + links, one statement), the sensitive-facility check,
    // the audit insert — instead of BEGIN, five reads, the insert and COMMIT.
    const manager = this.dataSource.manager;
    let candidates: ResolvedPatient[];
    if (query && blindIndex) {
      candidates = await this.reader.resolveByIdentifier(manager, query.system, blindIndex);
    } else if (search.by === 'local-id') {
      const link = await this.patients.findLink(manager, search.facilityCode, search.localId);
      candidates = link ? (await this.reader.resolveMany(manager, [link.patientId])).filter((r): r is ResolvedPatient => r !== undefined) : [];
    } else candidates = [];
    const found: ResolvedPatient[] = [];
    for (const r of candidates) {
      const ctx = { actor, sensitiveFacilities: r.sensitiveFacilities };
      const shown = disclosableLinks(r.facts.links, ctx);
      const holdsItself = r.facts.links.some((l) => l.facilityCode === actor.facilityCode);
      // Local-id search at a sensitive facility: only that facility may learn the patient is there.
      const linkVisible = search.by !== 'local-id' || shown.some((l) => l.facilityCode === search.facilityCode && l.localId === search.localId);
      if ((holdsItself || (actor.canCrossReference && shown.length > 0)) && linkVisible) found.push(r);
    }
    const entries: AuditEntry[] = found.length
      ? found.map((r) => ({ action: 'patient.search', patientId: r.facts.patient.id, outcome: 'success' as const, detail: { by: search.by } }))
      : [{ action: 'patient.search', patientId: null, outcome: 'not-found', detail: { by: search.by } }];
    await this.audit.write(manager, actor, entries);
    return {
      items: found.map((r) => patientView(r.facts, actor, r.sensitiveFacilities, this.crypto, r.redirectedFrom)),
      resolved: found,
    };
  }
}
