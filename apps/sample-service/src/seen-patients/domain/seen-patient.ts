import { SeenPatientsError, SeenPatientsErrorCode } from './seen-patients-error';

/** A patient known to a facility under a local id, as identity-service announced it. */
export interface PatientSighting {
  readonly enterprisePatientId: string;
  readonly facilityCode: string;
  readonly localId: string;
}

export interface SeenPatient extends PatientSighting {
  /** Identity events applied to this facility link (registrations, links, merges). */
  readonly sightings: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
}

export interface FacilityLink {
  readonly facilityCode: string;
  readonly localId: string;
}

/** Facility links moving from one enterprise patient to another (a merge, or an unmerge undoing one). */
export interface LinkMove {
  readonly from: string;
  readonly to: string;
  readonly links: readonly FacilityLink[];
}

export function linkMove(from: string, to: string, links: readonly FacilityLink[]): LinkMove {
  if (from === to) throw new SeenPatientsError(SeenPatientsErrorCode.SamePatient, 'links cannot move from a patient to the same patient');
  return { from, to, links };
}
