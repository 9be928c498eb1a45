import { ConsentError, ConsentErrorCode } from './consent-error';

/** A consent a facility recorded. Replace `note` with what the context really owns. */
export interface Consent {
  readonly id: string;
  /** The facility (MA_CSKCB) the record belongs to: the one the caller speaks for, never the body's. */
  readonly facilityCode: string;
  readonly note: string;
  /** The token subject that recorded it. */
  readonly createdBy: string;
  readonly createdAt: Date;
}

export const NOTE_MAX_LENGTH = 500;

/**
 * A new consent, or the rule it breaks. The edge checks shapes (zod DTO); the domain keeps
 * the rules every transport must share.
 */
export function newConsent(input: Consent): Consent {
  const note = input.note.trim();
  if (note === '') {
    throw new ConsentError(ConsentErrorCode.Validation, 'The note is blank.', [
      { pointer: '#/note', rule: 'not_blank', message: 'must contain more than white space' },
    ]);
  }
  return { ...input, note };
}
