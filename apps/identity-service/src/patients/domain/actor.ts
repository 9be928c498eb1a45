/** Scopes this service checks, SMART Backend Services style plus Liên Thông's own. */
export const Scopes = {
  patientRead: 'system/Patient.rs',
  patientWrite: 'system/Patient.cu',
  crossReference: 'lienthong/patient.crossref',
  steward: 'lienthong/mpi.steward',
  auditRead: 'lienthong/audit.read',
} as const;

/**
 * Who is acting, as the use cases need it (transport-neutral: HTTP builds it from the verified
 * token, a CLI or consumer from its own credentials).
 */
export interface Actor {
  /** Token subject (client id or user); lands in the audit row. */
  readonly subject: string;
  /** The facility the token speaks for (MA_CSKCB); null for ministry/steward clients. */
  readonly facilityCode: string | null;
  readonly purposeOfUse: string;
  readonly requestId: string | null;
  /** Whether the token carries a cross-facility scope (`lienthong/patient.crossref`). */
  readonly canCrossReference: boolean;
}
