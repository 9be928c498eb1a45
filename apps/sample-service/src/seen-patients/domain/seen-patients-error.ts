/** Why an identity event cannot be applied; the Kafka adapter dead-letters it with the code as reason. */
export enum SeenPatientsErrorCode {
  /** A merge or unmerge whose two patients are the same: identity never emits one, so it is corrupt. */
  SamePatient = 'same-patient',
}

export class SeenPatientsError extends Error {
  override readonly name = 'SeenPatientsError';

  constructor(
    readonly code: SeenPatientsErrorCode,
    message: string,
  ) {
    super(message);
  }
}
