import { formatIsoPartialDate } from '@lienthong/vn-standards';
import { type IdentifierCrypto } from '../../crypto/identifier-crypto';
import { type IdentifierStatus, type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { type Actor } from '../domain/actor';
import { type IdentifierRecord, type LinkRecord, type PatientRecord } from '../persistence/patient.repository';
import { disclosableLinks } from './link-disclosure';

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

export interface PatientFacts {
  readonly patient: PatientRecord;
  readonly identifiers: readonly IdentifierRecord[];
  readonly links: readonly LinkRecord[];
}

/**
 * Shapes a patient for one caller. Identifier values are decrypted only for the facility that
 * reported them (it already holds them); links go through `disclosableLinks`.
 */
export function patientView(
  facts: PatientFacts,
  actor: Actor,
  sensitiveFacilities: ReadonlySet<string>,
  crypto: IdentifierCrypto,
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
      ...(actor.facilityCode !== null && i.sourceFacility === actor.facilityCode ? { value: crypto.decrypt(i.system, i.encrypted) } : {}),
    })),
    links: disclosableLinks(facts.links, { actor, sensitiveFacilities }).map((l) => ({ facilityCode: l.facilityCode, localId: l.localId })),
  };
}
