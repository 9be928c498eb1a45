import { formatIsoPartialDate, type IdentifierSystem } from '@lienthong/vn-standards';
import { type IdentifierRecord, type IdentifierStatus, type LinkRecord, type PatientFacts } from './patient';

/** What disclosure rules need to know about the caller. */
export interface Viewer {
  /** The facility the request speaks for; undefined for a person or a service acting for nobody. */
  readonly facilityCode: string | undefined;
  /** Holds `lienthong/patient.crossref`: may learn about other facilities' links. */
  readonly canCrossReference: boolean;
}

/**
 * The one place that decides which facility links a caller may learn about. Every answer that
 * reveals where a patient was treated (REST links, search across facilities, $ihe-pix, $match) goes
 * through here, so consent filtering slots in as one more condition.
 *
 * - A facility always sees its own links.
 * - Other facilities' links need the cross-reference scope.
 * - Links at a sensitive facility are never disclosed to anyone but that facility.
 */
export function disclosableLinks(links: readonly LinkRecord[], viewer: Viewer, sensitiveFacilities: ReadonlySet<string>): LinkRecord[] {
  return links.filter((link) => {
    if (viewer.facilityCode !== undefined && link.facilityCode === viewer.facilityCode) return true;
    if (!viewer.canCrossReference) return false;
    return !sensitiveFacilities.has(link.facilityCode);
  });
}

export interface IdentifierView {
  readonly system: IdentifierSystem;
  readonly status: IdentifierStatus;
  /** Only for the facility that reported the identifier; everyone else learns that it exists. */
  readonly value?: string;
}

export interface PatientView {
  readonly enterprisePatientId: string;
  readonly status: 'active' | 'merged';
  /** Set when the id asked for was merged into this one. */
  readonly redirectedFrom?: string;
  readonly fullName: string;
  readonly birthDate?: string;
  readonly sex: 1 | 2 | 3;
  readonly address?: { provinceCode?: string; communeCode?: string; line?: string };
  readonly phone?: string;
  readonly identifiers: readonly IdentifierView[];
  readonly links: readonly { facilityCode: string; localId: string }[];
}

/**
 * Shapes a patient for one caller. Identifier values are revealed (`reveal` decrypts) only to the
 * facility that reported them — it already holds them; links go through `disclosableLinks`.
 */
export function patientView(
  facts: PatientFacts,
  viewer: Viewer,
  sensitiveFacilities: ReadonlySet<string>,
  reveal: (identifier: IdentifierRecord) => string,
  redirectedFrom?: string,
): PatientView {
  const p = facts.patient;
  const address =
    p.provinceCode !== undefined || p.communeCode !== undefined || p.addressLine !== undefined
      ? {
          ...(p.provinceCode !== undefined ? { provinceCode: p.provinceCode } : {}),
          ...(p.communeCode !== undefined ? { communeCode: p.communeCode } : {}),
          ...(p.addressLine !== undefined ? { line: p.addressLine } : {}),
        }
      : undefined;
  return {
    enterprisePatientId: p.id,
    status: p.status,
    ...(redirectedFrom !== undefined ? { redirectedFrom } : {}),
    fullName: p.fullName,
    ...(p.birthDate !== undefined ? { birthDate: formatIsoPartialDate(p.birthDate) } : {}),
    sex: p.sex,
    ...(address !== undefined ? { address } : {}),
    ...(p.phone !== undefined ? { phone: p.phone } : {}),
    identifiers: facts.identifiers.map((i) => ({
      system: i.system,
      status: i.status,
      ...(viewer.facilityCode !== undefined && i.sourceFacility === viewer.facilityCode ? { value: reveal(i) } : {}),
    })),
    links: disclosableLinks(facts.links, viewer, sensitiveFacilities).map((l) => ({ facilityCode: l.facilityCode, localId: l.localId })),
  };
}
