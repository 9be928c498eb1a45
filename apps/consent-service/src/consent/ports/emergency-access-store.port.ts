import type { Db, Tx } from '@lienthong/persistence';

/** Break-the-glass: one facility's emergency access to one patient, as stored (the reason stays in this table). */
export interface EmergencyAccess {
  readonly id: string;
  readonly enterprisePatientId: string;
  readonly facilityCode: string;
  /** The clinician as the facility's HIS identifies them (no name). */
  readonly clinicianId: string;
  /** Why, in the clinician's words: kept here only, never on an event, in a log or in an audit row. */
  readonly reason: string;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
}

/** Which accesses a report covers: granted in [from, to), narrowed to one facility and/or one province. */
export interface EmergencyAccessFilter {
  readonly from: Date;
  readonly to: Date;
  readonly facilityCode?: string | undefined;
  /** Only facilities of this province (as the `facilities` copy of the registry places them). */
  readonly provinceCode?: string | undefined;
}

/** Per facility: how many accesses and how many distinct patients, over the whole filter. */
export interface EmergencyAccessSummary {
  readonly facilityCode: string;
  readonly count: number;
  readonly distinctPatients: number;
}

export abstract class EmergencyAccessStore {
  /** Queues the grant row with the caller's unit of work. */
  abstract record(tx: Tx, access: EmergencyAccess & { readonly actorSubject: string }): void;
  /** The counts per facility (complete, however many accesses there are), by facility code. */
  abstract summarise(db: Db, filter: EmergencyAccessFilter): Promise<EmergencyAccessSummary[]>;
  /** The accesses themselves, by facility code then grant time, at most `limit`. */
  abstract list(db: Db, filter: EmergencyAccessFilter, limit: number): Promise<EmergencyAccess[]>;
}
