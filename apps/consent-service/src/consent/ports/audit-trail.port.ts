import type { AuditEntry } from '@lienthong/persistence';

/*
 * The audit trail itself is the platform's (AuditTrail, PgAuditTrail and `audit_log` in
 * @lienthong/persistence, identity-service's table shape): consent adds only its vocabulary.
 */

/** ok / denied / not-found for reads and writes; permit / deny for decisions. */
export type AuditOutcome = 'ok' | 'denied' | 'not-found' | 'permit' | 'deny';

/**
 * An entry as consent's use cases write it. `action`: consent.grant, consent.refuse, consent.change,
 * consent.withdraw, consent.read, consent.history, decision, emergency-access.declare,
 * emergency-access.report…; `detail` coded and non-identifying (ids, categories, purposes, reasons),
 * never a CCCD, a name or a clinical value.
 */
export interface ConsentAuditEntry extends AuditEntry {
  readonly outcome: AuditOutcome;
}
