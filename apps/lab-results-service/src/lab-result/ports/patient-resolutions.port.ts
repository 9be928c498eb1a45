import type { Tx } from '@lienthong/persistence';

/** A facility's patient as the sending facility names it (XML1 MA_BN). */
export interface LocalPatient {
  readonly facilityCode: string;
  readonly localId: string;
}

export interface PatientResolutionRecord extends LocalPatient {
  readonly enterprisePatientId: string;
  /** DemographicsVault.fingerprint of what identity was sent (demographicsFingerprintContent): never the demographics. */
  readonly fingerprint: string;
  readonly at: Date;
}

/**
 * `patient_resolutions`: per (facility, MA_BN), the enterprise id identity-service answered the last
 * time this service registered-or-linked that patient, and a keyed fingerprint of exactly what it was
 * sent. A visit whose demographics have the same fingerprint is resolved without asking identity again
 * — the patient is already known, nothing identity needs has changed — unless identity's word has moved
 * since, as this service's registry copy (identity's events) shows it.
 */
export abstract class PatientResolutions {
  /**
   * The enterprise id identity answered for this patient when last sent demographics with this
   * fingerprint — undefined (ask identity) when there is none, when the demographics differ, when that
   * patient has been merged into another since, or when the registry's link for the local id names
   * another patient (an unmerge or a relink).
   */
  abstract known(tx: Tx, patient: LocalPatient, fingerprint: string): Promise<string | undefined>;
  /** identity resolved the patient: its answer and what it was sent replace what was kept. */
  abstract record(tx: Tx, resolution: PatientResolutionRecord): void;
}
