import type { Tx } from '@lienthong/persistence';
import type { Actor } from '@lienthong/platform';

/** ok / denied / not-found for reads and writes; permit / deny for decisions. */
export type AuditOutcome = 'ok' | 'denied' | 'not-found' | 'permit' | 'deny';

export interface AuditEntry {
  /** consent.grant, consent.refuse, consent.change, consent.withdraw, consent.read, consent.history, decision, emergency-access.declare, emergency-access.report… */
  readonly action: string;
  readonly enterprisePatientId: string | null;
  readonly outcome: AuditOutcome;
  /** Coded, non-identifying detail: ids, categories, purposes, reasons. Never a CCCD, a name or a clinical value. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** The append-only audit trail: entries queue in the caller's unit of work and commit with its change (or, for a read, before the answer leaves). */
export abstract class AuditTrail {
  abstract append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void;
}
