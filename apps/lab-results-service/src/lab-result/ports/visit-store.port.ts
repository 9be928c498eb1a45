import type { Db, Tx } from '@lienthong/persistence';
import { type CanonicalLine } from '../domain/canonical-result';

export type VisitStatus = 'pending-patient' | 'resolved' | 'rejected';

/** A stored visit, as ingest decides what a resubmission changes. */
export interface VisitHead {
  readonly visitId: string;
  readonly status: VisitStatus;
  /** Keyed fingerprint of the visit's demographics and lines (DemographicsVault.fingerprint). */
  readonly contentHash: string;
  /** Bumped by every accepted (re)submission: a resolution for an older one is dropped. */
  readonly generation: number;
  readonly enterprisePatientId: string | null;
}

/** What the ingest reads when it locks a visit. */
export interface LockedVisit {
  readonly head: VisitHead | undefined;
  /** identity's earlier answer for this patient and exactly these demographics, still standing. */
  readonly knownPatientId: string | undefined;
}

/** A visit waiting for its patient, as the resolution reads it back (its row locked). */
export interface WaitingVisit {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly status: VisitStatus;
  readonly generation: number;
  /** Sealed demographics; null once resolved or rejected. */
  readonly demographics: Buffer | null;
  /** The visit's canonical lines (no patient identifiers in them). */
  readonly lines: readonly CanonicalLine[];
  readonly attempts: number;
}

/** A visit claimed by the retry worker: its lease runs until `next_attempt_at`. */
export interface ClaimedVisit {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly generation: number;
  readonly demographics: Buffer;
  readonly attempts: number;
}

/** How an accepted visit stands: waiting for identity, or resolved at once (its patient already known). */
export type AcceptedState =
  | {
      readonly status: 'pending-patient';
      /** Sealed demographics, kept until identity answers. */
      readonly demographics: Buffer;
      /** The request resolving it at once holds it until then; the worker takes it after. */
      readonly nextAttemptAt: Date;
    }
  /** Nothing sealed, nothing for the worker. */
  | { readonly status: 'resolved'; readonly enterprisePatientId: string };

export interface AcceptedVisit {
  readonly visitId: string;
  readonly facilityCode: string;
  readonly maLk: string;
  readonly lines: readonly CanonicalLine[];
  readonly contentHash: string;
  readonly generation: number;
  readonly state: AcceptedState;
  readonly at: Date;
}

/** `visits`: one row per (facility, MA_LK), durable from the moment a visit is accepted. */
export abstract class VisitStore {
  /**
   * The visit, its row locked for the rest of the unit of work (undefined if never accepted), and in
   * the same round trip the patient already known for its XML1 — `patient`'s local id with demographics
   * of this fingerprint (PatientResolutions' rule) — if any.
   */
  abstract lock(tx: Tx, facilityCode: string, maLk: string, patient: { readonly localId: string; readonly fingerprint: string }): Promise<LockedVisit>;
  /**
   * Inserts or replaces the visit (attempts reset, last error cleared): waiting for its patient, or
   * resolved to a patient already known (no demographics kept).
   */
  abstract accept(tx: Tx, visit: AcceptedVisit): void;
  /** The visit with its demographics and lines, its row locked. */
  abstract loadForResolution(tx: Tx, visitId: string): Promise<WaitingVisit | undefined>;
  /**
   * Claims up to `limit` waiting visits due at `now` (SKIP LOCKED: replicas share them), counting the
   * attempt and leasing each until `leaseUntil`, in one statement.
   */
  abstract claimDue(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedVisit[]>;
  /** Resolved: the patient recorded, the demographics dropped. */
  abstract markResolved(tx: Tx, visitId: string, enterprisePatientId: string, at: Date): void;
  /** Refused by identity: the reason kept, the demographics dropped. */
  abstract markRejected(tx: Tx, visitId: string, reason: string, at: Date): void;
  /** Still waiting: the next attempt and what went wrong (coded, no patient data). */
  abstract retryLater(tx: Tx, visitId: string, nextAttemptAt: Date, error: string, at: Date): void;
  /** How many visits wait for their patient (a gauge). */
  abstract countWaiting(db: Db): Promise<number>;
}
