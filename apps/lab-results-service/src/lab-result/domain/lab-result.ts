import { LabResultError, LabResultErrorCode } from './lab-result-error';

/** A lab-result a facility recorded. Replace `note` with what the context really owns. */
export interface LabResult {
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
 * A new lab-result, or the rule it breaks. The edge checks shapes (zod DTO); the domain keeps
 * the rules every transport must share.
 */
export function newLabResult(input: LabResult): LabResult {
  const note = input.note.trim();
  if (note === '') {
    throw new LabResultError(LabResultErrorCode.Validation, 'The note is blank.', [
      { pointer: '#/note', rule: 'not_blank', message: 'must contain more than white space' },
    ]);
  }
  return { ...input, note };
}
