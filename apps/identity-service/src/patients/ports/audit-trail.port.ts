import { type Db, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';

export type AuditOutcome = 'success' | 'not-found' | 'denied' | 'invalid' | 'error';

export interface AuditEntry {
  readonly action: string;
  readonly patientId: string | null;
  readonly outcome: AuditOutcome;
  /** Coded detail only (outcome names, counts, error codes): never identifier values or names. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly actorKind: string;
  readonly actorSubject: string;
  /** The calling service, when a service acted for `facilityCode`. */
  readonly actingService: string | null;
  readonly facilityCode: string | null;
  readonly purposeOfUse: string;
  readonly action: string;
  readonly outcome: string;
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/**
 * Who read or changed what, append-only. Rows are queued into the caller's unit of work, so the audit
 * commits with the change it describes (and a read's audit row is written before the answer leaves).
 */
export abstract class AuditTrail {
  abstract append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void;
  /** One patient's entries, newest first, before `cursor` (an entry id), leaving out those recorded for `hiddenFacilities`. */
  abstract ofPatient(db: Db, patientId: string, cursor: string | undefined, limit: number, hiddenFacilities?: readonly string[]): Promise<AuditRecord[]>;
  /** The facilities named in one patient's entries (each once). */
  abstract facilitiesOf(db: Db, patientId: string): Promise<string[]>;
}
