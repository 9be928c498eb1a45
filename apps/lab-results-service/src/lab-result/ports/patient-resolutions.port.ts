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
 * since, as this service's registry copy (identity's events) shows it: that patient merged into
 * another, or the registry's link for the local id naming another patient (an unmerge, a relink).
 * The ingest reads that answer with the visit it locks, in one round trip (VisitStore.lock).
 */
export abstract class PatientResolutions {
  /** identity resolved the patient: its answer and what it was sent replace what was kept. */
  abstract record(tx: Tx, resolution: PatientResolutionRecord): void;
}
