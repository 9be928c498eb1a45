import type { Db, Tx } from '@lienthong/persistence';

/** What a link event finds before it is applied (one read). */
export interface LinkSituation {
  /** identity-service announced the patient before. */
  readonly known: boolean;
  /** The survivor the patient was merged into, or null. */
  readonly mergedInto: string | null;
  /** Who holds the (facility, local id) link now, if anyone. */
  readonly heldBy: string | undefined;
}

/** The patients identity-service announced, and where each is registered (the care relationships). */
export abstract class PatientDirectory {
  /** Whether the patient is known, merged away, and who holds the link now: the patients a link event changes. */
  abstract linkSituation(db: Db, link: { readonly enterprisePatientId: string; readonly facilityCode: string; readonly localId: string }): Promise<LinkSituation>;
  /**
   * Whether `facilityCode` has a care relationship with any of the ids (identity registered or linked
   * the patient there): where a consent may be recorded.
   */
  abstract registeredAt(db: Db, enterprisePatientIds: readonly string[], facilityCode: string): Promise<boolean>;
  /** The ids identity has announced (merged ones included: their consents follow the survivor). */
  abstract known(db: Db, enterprisePatientIds: readonly string[]): Promise<Set<string>>;
  /** Records the patient (first sight) and, when given, its link to a facility under a local id. */
  abstract recordLink(tx: Tx, link: { readonly enterprisePatientId: string; readonly facilityCode: string; readonly localId: string }, at: Date): void;
  /** Moves the links to the survivor and marks the merged id. */
  abstract moveLinks(tx: Tx, to: string, links: readonly { readonly facilityCode: string; readonly localId: string }[]): void;
  abstract markMerged(tx: Tx, mergedId: string, survivorId: string | null): void;
}
