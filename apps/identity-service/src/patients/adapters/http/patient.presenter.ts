import { phoneE164 } from '@lienthong/vn-standards';
import { type PatientView } from '../../domain/disclosure';
import { type RegistrationOutcome } from '../../use-cases/register-patient/register-patient.use-case';

/**
 * A patient as REST shows it: the caller's view with every phone — the shared record's and those of
 * the caller's own source records — in E.164, the one phone form of the API (FHIR `telecom` too). The
 * store keeps the national number, which is the matcher's key.
 */
export function restPatient(view: PatientView): PatientView {
  return { ...withE164Phone(view), sources: view.sources.map(withE164Phone) };
}

function withE164Phone<T extends { readonly phone?: string }>(record: T): T {
  const { phone, ...rest } = record;
  const shown = phoneE164(phone);
  // `rest` is T without its optional phone: still a T (TypeScript cannot see that through the spread).
  return (shown === undefined ? rest : { ...rest, phone: shown }) as T;
}

/**
 * The HTTP status of a registration: 201 when it made a new enterprise patient — `created`, and
 * `review` (a new patient exists, a steward may later merge it) — 200 when it linked to or updated
 * one that existed. An idempotent replay returns the stored outcome, so it answers like the original.
 */
export function registrationStatus(outcome: RegistrationOutcome): 200 | 201 {
  switch (outcome) {
    case 'created':
    case 'review':
      return 201;
    case 'linked':
    case 'updated':
      return 200;
  }
}

export const patientLocation = (enterprisePatientId: string): string => `/v1/patients/${enterprisePatientId}`;
