import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { disclosableLinks, mayDisclosePatient, patientView, type PatientView, type Viewer } from '../../domain/disclosure';
import { type CanonicalIdentifier } from '../../domain/identifiers';
import { type ResolvedPatient } from '../../domain/patient';
import { AuditTrail, type AuditEntry } from '../../ports/audit-trail.port';
import { PatientStore } from '../../ports/patient-store.port';
import { PatientResolver } from '../patient-resolver';
import { viewerOf } from '../viewer';

export type PatientSearch =
  | { readonly by: 'identifier'; readonly identifier: CanonicalIdentifier }
  | { readonly by: 'local-id'; readonly facilityCode: string; readonly localId: string };

export interface PatientSearchResult {
  readonly items: readonly PatientView[];
  readonly resolved: readonly ResolvedPatient[];
}

/**
 * Finds patients by identifier (blind index) or by a facility's local id. Without the cross-reference
 * scope a facility finds only patients it holds itself: learning that a CCCD is known elsewhere, or
 * another facility's local ids, is cross-facility knowledge. Every search is audited, one row per
 * patient returned (or one not-found row). Round trips: the read (identifier → patients → merge
 * survivors → identifiers + links, one statement), the sensitive-facility check, the audit insert.
 */
@Injectable()
export class SearchPatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly resolver: PatientResolver,
    private readonly audit: AuditTrail,
    private readonly crypto: IdentifierCrypto,
  ) {}

  async execute(actor: Actor, search: PatientSearch): Promise<PatientSearchResult> {
    const viewer = viewerOf(actor);
    if (search.by === 'local-id' && search.facilityCode !== viewer.facilityCode && !viewer.canCrossReference) {
      throw new IdentityError(IdentityErrorCode.CrossFacilityForbidden, 'looking up another facility’s local ids needs the cross-reference scope');
    }
    const found = await this.uow.read(async (tx) => {
      let candidates: ResolvedPatient[] = [];
      if (search.by === 'identifier') {
        const { system, indexValue } = search.identifier;
        candidates = await this.resolver.byIdentifier(tx, { system, blindIndex: this.crypto.blindIndex(system, indexValue) }, viewer.facilityCode);
      } else {
        const link = await this.patients.findLink(tx, search.facilityCode, search.localId);
        if (link) candidates = (await this.resolver.byIds(tx, [link.patientId], viewer.facilityCode)).filter((r): r is ResolvedPatient => r !== undefined);
      }
      const visible = candidates.filter((r) => mayFind(r, viewer, search));
      const entries: AuditEntry[] = visible.length
        ? visible.map((r) => ({ action: 'patient.search', patientId: r.facts.patient.id, outcome: 'success', detail: { by: search.by } }))
        : [{ action: 'patient.search', patientId: null, outcome: 'not-found', detail: { by: search.by } }];
      this.audit.append(tx, actor, entries);
      return visible;
    });
    return {
      items: found.map((r) => patientView(r.facts, viewer, r.sensitiveFacilities, (i) => this.crypto.decrypt(i.system, i.encrypted), r.redirectedFrom)),
      resolved: found,
    };
  }
}

/**
 * The shared disclosure rule (domain/disclosure.ts) decides whether the caller may see the patient; a
 * local-id search also needs the very link it named to be disclosable (at a sensitive facility only
 * that facility may learn the patient is there).
 */
function mayFind(r: ResolvedPatient, viewer: Viewer, search: PatientSearch): boolean {
  if (!mayDisclosePatient(r.facts.links, viewer, r.sensitiveFacilities)) return false;
  return (
    search.by !== 'local-id' ||
    disclosableLinks(r.facts.links, viewer, r.sensitiveFacilities).some((l) => l.facilityCode === search.facilityCode && l.localId === search.localId)
  );
}
