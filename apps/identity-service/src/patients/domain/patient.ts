import { type IdentifierSystem, type PartialDate } from '@lienthong/vn-standards';
import { type SourceRecord } from './survivorship';

export type PatientStatus = 'active' | 'merged';
export type SexCode = 1 | 2 | 3;
export type IdentifierStatus = 'active' | 'cancelled' | 're-issued';
export const IDENTIFIER_STATUSES = ['active', 'cancelled', 're-issued'] as const satisfies readonly IdentifierStatus[];

/** An identifier value as stored: AES-256-GCM ciphertext and the id of the key that wrote it. */
export interface EncryptedValue {
  /** 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag. */
  readonly ciphertext: Buffer;
  readonly keyId: string;
}

/** Demographics after validation and normalisation (what is stored and matched on). */
export interface NormalisedDemographics {
  readonly fullName: string;
  readonly nameFolded: string;
  readonly nameTokenKey: string;
  readonly birthDate: PartialDate | undefined;
  readonly sex: SexCode;
  readonly provinceCode: string | undefined;
  readonly communeCode: string | undefined;
  readonly addressLine: string | undefined;
  readonly phone: string | undefined;
}

/** A stored patient: the normalised demographics (without the derived token key) plus row state. */
export interface PatientRecord extends Omit<NormalisedDemographics, 'nameTokenKey'> {
  readonly id: string;
  readonly status: PatientStatus;
  readonly mergedInto: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface IdentifierRecord {
  readonly id: string;
  readonly patientId: string;
  readonly system: IdentifierSystem;
  readonly encrypted: EncryptedValue;
  readonly blindIndex: Buffer;
  readonly status: IdentifierStatus;
  readonly sourceFacility: string;
  readonly flags: readonly string[];
}

/** An identifier about to be stored for a patient (the source facility is the registering one). */
export type NewIdentifier = Pick<IdentifierRecord, 'id' | 'system' | 'encrypted' | 'blindIndex' | 'status' | 'flags'>;

export interface LinkRecord {
  readonly id: string;
  readonly facilityCode: string;
  readonly localId: string;
  readonly patientId: string;
  /** The patient the link was created for (merges move links; unmerge brings them back). */
  readonly originalPatientId: string;
}

/** A patient with everything known about it, as read in one statement. */
export interface PatientFacts {
  readonly patient: PatientRecord;
  readonly identifiers: readonly IdentifierRecord[];
  readonly links: readonly LinkRecord[];
  /** Each link's source record (what that facility reported); the patient row is computed from these. */
  readonly sources: readonly SourceRecord[];
}

/** A patient read by id or identifier, following merges to the survivor. */
export interface ResolvedPatient {
  readonly facts: PatientFacts;
  /** The id asked for, when it was merged and the answer is its survivor. */
  readonly redirectedFrom: string | undefined;
  /** The patient's facilities whose involvement is itself sensitive (HIV clinic, mental hospital). */
  readonly sensitiveFacilities: ReadonlySet<string>;
}

/** One field comparison as the matcher saw it; values are folded/coded, never identifier values. */
export interface FieldComparison {
  readonly field: string;
  readonly outcome: string;
  readonly weight: number;
}

/** What a merge moved, so an unmerge can move exactly that back. */
export interface MovedLink {
  readonly linkId: string;
  readonly facilityCode: string;
  readonly localId: string;
}
