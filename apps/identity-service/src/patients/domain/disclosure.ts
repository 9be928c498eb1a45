import { formatIsoPartialDate, type IdentifierSystem } from '@lienthong/vn-standards';
import { type IdentifierRecord, type IdentifierStatus, type LinkRecord, type PatientFacts } from './patient';
import { type SourceRecord } from './survivorship';

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

/**
 * Whether the caller may learn that the patient exists at all — the one rule every read path applies
 * (read by id, REST and FHIR; search; $ihe-pix; $match; the audit trail). Patient ids are not secrets
 * (they travel on identity.patient.v1), so knowing one proves nothing: the caller must hold a link
 * itself, or have the cross-reference scope and a link it may see. A patient seen only at a sensitive
 * facility is therefore invisible to everyone but that facility. Callers that may not see the patient
 * are answered exactly as if it did not exist.
 */
export function mayDisclosePatient(links: readonly LinkRecord[], viewer: Viewer, sensitiveFacilities: ReadonlySet<string>): boolean {
  return disclosableLinks(links, viewer, sensitiveFacilities).length > 0;
}

/**
 * Audit entries recorded by or for a facility whose involvement is sensitive reveal that visit as
 * surely as its link would: of the facilities named in a patient's audit trail, those the caller must
 * not see entries of (every sensitive facility but the caller's own).
 */
export function hiddenAuditFacilities(facilityCodes: readonly string[], viewer: Viewer, sensitiveFacilities: ReadonlySet<string>): string[] {
  return [...new Set(facilityCodes)].filter((code) => sensitiveFacilities.has(code) && code !== viewer.facilityCode);
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
  /**
   * The caller's own source records (what its own links reported, which may differ from the shared
   * record above): one per link of the calling facility; empty for anyone else.
   */
  readonly sources: readonly SourceView[];
}

export interface SourceView {
  readonly localId: string;
  readonly fullName: string;
  readonly birthDate?: string;
  readonly sex: 1 | 2 | 3;
  readonly address?: { provinceCode?: string; communeCode?: string; line?: string };
  readonly phone?: string;
  /** The report carried the patient's active CCCD. */
  readonly cccdVerified: boolean;
  /** Fields that contradict a CCCD-verified value and wait for a data steward (they are not in the shared record). */
  readonly disputedFields: readonly string[];
  readonly reportedAt: string;
}

function addressOf(d: { provinceCode?: string | undefined; communeCode?: string | undefined; addressLine?: string | undefined }) {
  return d.provinceCode !== undefined || d.communeCode !== undefined || d.addressLine !== undefined
    ? {
        ...(d.provinceCode !== undefined ? { provinceCode: d.provinceCode } : {}),
        ...(d.communeCode !== undefined ? { communeCode: d.communeCode } : {}),
        ...(d.addressLine !== undefined ? { line: d.addressLine } : {}),
      }
    : undefined;
}

function sourceView(s: SourceRecord): SourceView {
  const d = s.demographics;
  const address = addressOf(d);
  return {
    localId: s.localId,
    fullName: d.fullName,
    ...(d.birthDate !== undefined ? { birthDate: formatIsoPartialDate(d.birthDate) } : {}),
    sex: d.sex,
    ...(address !== undefined ? { address } : {}),
    ...(d.phone !== undefined ? { phone: d.phone } : {}),
    cccdVerified: s.cccdVerified,
    disputedFields: s.disputedFields,
    reportedAt: s.reportedAt.toISOString(),
  };
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
  const address = addressOf(p);
  const own = facts.sources.filter((s) => viewer.facilityCode !== undefined && s.facilityCode === viewer.facilityCode);
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
    sources: own.map(sourceView),
  };
}
