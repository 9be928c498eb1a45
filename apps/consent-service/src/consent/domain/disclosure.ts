import { type ConsentStatus, type ConsentVersion } from './consent';

/**
 * Who reads a patient's consents, as the disclosure rule sees the caller: a facility (its own system,
 * or a service acting for it), a data steward, or anyone else (an analyst, a service on its own account).
 */
export type ConsentReader = { readonly kind: 'facility'; readonly facilityCode: string } | { readonly kind: 'steward' } | { readonly kind: 'other' };

/**
 * A patient's consents say where the patient is treated and what they keep from whom: a facility
 * reads them only where it has a care relationship with the patient (registered there) or recorded
 * one of the patient's consents; a data steward reads any. Everyone else is told nothing — not even
 * that the patient or the consent exists (the same 404 as an unknown id).
 */
export function mayReadConsents(reader: ConsentReader, relatedFacilities: ReadonlySet<string>): boolean {
  switch (reader.kind) {
    case 'steward':
      return true;
    case 'facility':
      return relatedFacilities.has(reader.facilityCode);
    case 'other':
      return false;
  }
}

/** What a version means at an instant: a grant whose period is over has expired (nothing is stored for that). */
export type EffectiveStatus = ConsentStatus | 'expired';

export function effectiveStatus(version: Pick<ConsentVersion, 'status' | 'scope'>, at: Date): EffectiveStatus {
  const until = version.scope.validUntil;
  return version.status === 'granted' && until !== null && until.getTime() <= at.getTime() ? 'expired' : version.status;
}
