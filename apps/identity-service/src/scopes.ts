/** Scopes identity-service checks: SMART Backend Services style, plus Liên Thông's own platform scopes. */
export const Scopes = {
  patientRead: 'system/Patient.rs',
  patientWrite: 'system/Patient.cu',
  organizationRead: 'system/Organization.r',
  organizationSearch: 'system/Organization.s',
  organizationWrite: 'system/Organization.cu',
  crossReference: 'lienthong/patient.crossref',
  steward: 'lienthong/mpi.steward',
  auditRead: 'lienthong/audit.read',
} as const;
