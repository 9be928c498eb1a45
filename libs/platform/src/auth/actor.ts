/**
 * Why the data is being read (DESIGN.md: consent purposes). Travels with every read of patient data in
 * the `X-Purpose-Of-Use` header and lands in the audit record and the consent decision.
 */
export const PURPOSES_OF_USE = ['treatment', 'emergency', 'referral', 'public-health', 'research-deidentified'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];
export const DEFAULT_PURPOSE_OF_USE: PurposeOfUse = 'treatment';
export const PURPOSE_OF_USE_HEADER = 'x-purpose-of-use';

export function isPurposeOfUse(value: string): value is PurposeOfUse {
  return (PURPOSES_OF_USE as readonly string[]).includes(value);
}

/** Who is calling: taken from the verified token, never from the request body. */
export interface Actor {
  /** `sub` claim: the client (system) or user the token was issued to. */
  readonly subject: string;
  /** `facility` claim: the 5-character MA_CSKCB code the caller acts as. */
  readonly facilityCode: string;
  readonly scopes: readonly string[];
  readonly purposeOfUse: PurposeOfUse;
  /** `client_id` or `azp` claim when the issuer sends one. */
  readonly clientId?: string;
}

/** MA_CSKCB shape: 5 characters, the first two digits (the former province code). */
export const FACILITY_CODE_PATTERN = /^[0-9]{2}[0-9A-Z]{3}$/;
