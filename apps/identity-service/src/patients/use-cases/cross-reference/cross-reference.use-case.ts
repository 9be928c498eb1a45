import { Injectable } from '@nestjs/common';
import { type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { disclosableLinks } from '../../domain/disclosure';
import { SearchPatientsUseCase, type PatientSearch } from '../search-patients/search-patients.use-case';
import { viewerOf } from '../viewer';

export interface CrossReference {
  readonly enterprisePatientId: string;
  /** Local ids at each facility the caller may learn about (sensitive facilities hidden). */
  readonly links: readonly { facilityCode: string; localId: string }[];
}

/**
 * IHE PIXm: given one identifier of a patient, which ids does each facility hold? Cross-facility
 * knowledge, so it needs the cross-reference scope; the search it runs is audited.
 */
@Injectable()
export class CrossReferenceUseCase {
  constructor(private readonly search: SearchPatientsUseCase) {}

  async execute(actor: Actor, source: PatientSearch, targetFacility?: string): Promise<CrossReference[]> {
    const viewer = viewerOf(actor);
    if (!viewer.canCrossReference) {
      throw new IdentityError(IdentityErrorCode.CrossFacilityForbidden, 'cross-referencing identifiers needs the cross-reference scope');
    }
    const { resolved } = await this.search.execute(actor, source);
    return resolved.map((r) => ({
      enterprisePatientId: r.facts.patient.id,
      links: disclosableLinks(r.facts.links, viewer, r.sensitiveFacilities)
        .filter((l) => targetFacility === undefined || l.facilityCode === targetFacility)
        .map((l) => ({ facilityCode: l.facilityCode, localId: l.localId })),
    }));
  }
}
