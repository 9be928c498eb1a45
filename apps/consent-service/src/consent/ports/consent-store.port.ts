import type { Db, Tx } from '@lienthong/persistence';
import { type ConsentVersion } from '../domain/consent';

/** A consent with every one of its versions, as stored. */
export interface StoredConsent {
  readonly consentId: string;
  /** Whose it is now: a merge moves it to the survivor (every version then reads under that id). */
  readonly enterprisePatientId: string;
  /** Whose it was when recorded (an unmerge moves it back). */
  readonly originalPatientId: string;
  readonly createdAt: Date;
  /** Oldest first; never empty. */
  readonly versions: readonly ConsentVersion[];
}

export interface ConsentPage {
  /** Newest consent first. */
  readonly items: readonly StoredConsent[];
  /** The last consent id of this page when more follow; null at the end. */
  readonly nextCursor: string | null;
}

/**
 * Consents and their versions (`consents`, `consent_versions`, append-only) and the grant periods
 * the expiry job is to announce (`consent_expiries`). Writes queue in the caller's unit of work.
 */
export abstract class ConsentStore {
  /** A new consent owned by the patient it was recorded for. */
  abstract insertConsent(tx: Tx, consent: { readonly consentId: string; readonly enterprisePatientId: string; readonly createdAt: Date }): void;
  /** Appends one version; `recordedBySubject` is the token subject that recorded it (the HIS client, or the service acting for it). */
  abstract appendVersion(tx: Tx, version: ConsentVersion, recordedBySubject: string): void;
  /** The grant period of this version ends at `endsAt`: the expiry job announces it then. */
  abstract scheduleExpiry(tx: Tx, expiry: { readonly consentId: string; readonly version: number; readonly endsAt: Date }): void;
  /** A later version replaced the earlier ones: their ends still pending are no longer announced. */
  abstract supersedeExpiries(tx: Tx, consentId: string, beforeVersion: number): void;

  /** The consent with every version, or undefined. */
  abstract findById(db: Db, consentId: string): Promise<StoredConsent | undefined>;
  /** The patient's consents (those it owns now), newest first, `limit` per page after `cursor` (a consent id). */
  abstract listByPatient(db: Db, enterprisePatientId: string, page: { readonly cursor?: string | undefined; readonly limit: number }): Promise<ConsentPage>;
  /**
   * Whose consents this patient's are now: the survivor a merge (or a chain of merges) moved them to,
   * or the patient itself (also when unknown). A consent recorded for a merged id goes there, where
   * decisions about either id look.
   */
  abstract holderOf(db: Db, enterprisePatientId: string): Promise<string>;
  /**
   * The facilities that may know of the patient's consents: where the patient is registered (care
   * relationships) and those that recorded any version of one of the patient's consents.
   */
  abstract relatedFacilities(db: Db, enterprisePatientId: string): Promise<ReadonlySet<string>>;
}
