import { parseBhytCard, parseCccd, parseCmnd, parsePassportNumber } from '@lienthong/vn-standards';
import { IDENTIFIER_SYSTEMS, type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { PatientError, PatientErrorCode } from './patient-error';

export interface IdentifierQuery {
  readonly system: IdentifierSystem;
  /** What the blind index is computed over (same normalisation as registration). */
  readonly indexValue: string;
}

function invalid(field: string, rule: string, message: string): PatientError {
  return new PatientError(PatientErrorCode.Validation, 'the identifier is invalid', [{ pointer: field, rule, message }]);
}

/** Normalises an identifier someone searches by exactly as registration does, so indexes meet. */
export function identifierQuery(system: string, value: string, field = 'identifier'): IdentifierQuery {
  if (!(IDENTIFIER_SYSTEMS as readonly string[]).includes(system)) {
    throw invalid(field, 'identifier.system', `system must be one of ${IDENTIFIER_SYSTEMS.join(', ')}`);
  }
  switch (system as IdentifierSystem) {
    case 'cccd': {
      const r = parseCccd(value);
      if (!r.ok) throw invalid(field, `cccd.${r.errors[0]?.rule ?? 'format'}`, r.errors[0]?.message ?? 'invalid CCCD');
      return { system: 'cccd', indexValue: r.value.value };
    }
    case 'cmnd': {
      const r = parseCmnd(value);
      if (!r.ok) throw invalid(field, 'cmnd.format', 'CMND number must be exactly 9 digits');
      return { system: 'cmnd', indexValue: r.value };
    }
    case 'passport': {
      const r = parsePassportNumber(value);
      if (!r.ok) throw invalid(field, 'passport.format', 'passport number must be 6–9 letters/digits');
      return { system: 'passport', indexValue: r.value };
    }
    case 'bhyt': {
      const r = parseBhytCard(value);
      if (!r.ok) throw invalid(field, 'bhyt.format', 'health-insurance card must be 15 characters or 10 digits');
      return { system: 'bhyt', indexValue: r.value.socialInsuranceNumber };
    }
    case 'eid':
      return { system: 'eid', indexValue: value.trim().toUpperCase() };
  }
}

/** `system|value` as used by `?identifier=` (REST) and FHIR token search. */
export function splitToken(token: string): { system: string; value: string } | undefined {
  const bar = token.indexOf('|');
  if (bar <= 0 || bar === token.length - 1) return undefined;
  return { system: token.slice(0, bar), value: token.slice(bar + 1) };
}
