import {
  IDENTIFIER_SYSTEMS,
  isIdentifierSystem,
  parseBhytCard,
  parseCccd,
  parseCmnd,
  parsePassportNumber,
  type IdentifierSystem,
} from '@lienthong/vn-standards';

/** An identifier value in canonical form, and what its blind index is computed over. */
export interface CanonicalIdentifier {
  readonly system: IdentifierSystem;
  /** Canonical value as stored (encrypted). */
  readonly value: string;
  /** The value, or for BHYT the 10-digit social-insurance number (group code and benefit level change; the 10 digits do not). */
  readonly indexValue: string;
}

const E_ID = /^[A-Za-z0-9-]{4,64}$/;

/**
 * The one normalisation of an identifier value, shared by registration and by every search, so the
 * blind index of what is stored and of what is looked up always meet. Errors are coded `<system>.<rule>`.
 */
export function canonicalIdentifier(system: IdentifierSystem, raw: string): CanonicalIdentifier | { rule: string; message: string }[] {
  switch (system) {
    case 'cccd': {
      const r = parseCccd(raw);
      return r.ok ? { system, value: r.value.value, indexValue: r.value.value } : r.errors.map((e) => ({ rule: `cccd.${e.rule}`, message: e.message }));
    }
    case 'cmnd': {
      const r = parseCmnd(raw);
      return r.ok ? { system, value: r.value, indexValue: r.value } : r.errors.map((e) => ({ rule: `cmnd.${e.rule}`, message: e.message }));
    }
    case 'passport': {
      const r = parsePassportNumber(raw);
      return r.ok ? { system, value: r.value, indexValue: r.value } : r.errors.map((e) => ({ rule: `passport.${e.rule}`, message: e.message }));
    }
    case 'bhyt': {
      const r = parseBhytCard(raw);
      return r.ok
        ? { system, value: r.value.value, indexValue: r.value.socialInsuranceNumber }
        : r.errors.map((e) => ({ rule: `bhyt.${e.rule}`, message: e.message }));
    }
    case 'eid': {
      const value = raw.trim();
      return E_ID.test(value) ? { system, value, indexValue: value.toUpperCase() } : [{ rule: 'eid.format', message: 'e-ID code must be 4–64 letters, digits or dashes' }];
    }
  }
}

/** A `system|value` token (`?identifier=`, FHIR token search) split and normalised, or why not. */
export function parseIdentifierToken(token: string): CanonicalIdentifier | { rule: string; message: string }[] {
  const bar = token.indexOf('|');
  if (bar <= 0 || bar === token.length - 1) return [{ rule: 'identifier.token', message: 'expected system|value' }];
  return parseIdentifier(token.slice(0, bar), token.slice(bar + 1));
}

/** `canonicalIdentifier` for a system name that comes from outside. */
export function parseIdentifier(system: string, value: string): CanonicalIdentifier | { rule: string; message: string }[] {
  if (!isIdentifierSystem(system)) return [{ rule: 'identifier.system', message: `system must be one of ${IDENTIFIER_SYSTEMS.join(', ')}` }];
  return canonicalIdentifier(system, value);
}

export function isCanonical(r: CanonicalIdentifier | readonly unknown[]): r is CanonicalIdentifier {
  return !Array.isArray(r);
}
