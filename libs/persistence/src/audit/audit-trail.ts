import { auditActor, type Actor } from '@lienthong/platform';
import { type Tx } from '../unit-of-work';

/** One audited access to patient data. `detail` is coded and non-identifying: ids, codes, counts, reasons — never a CCCD, a name or a clinical value. */
export interface AuditEntry {
  /** What was done, `<thing>.<verb>`: `lab-result.ingest`, `reuse-check.run`, `decision`… */
  readonly action: string;
  readonly patientId: string | null;
  /** The service's own vocabulary (ok, denied, not-found, permit, deny…), at most 16 characters. */
  readonly outcome: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * The append-only audit trail every service keeps (DESIGN.md: every read or write of patient data is
 * audited — who, facility, purpose, what, when, outcome). Entries queue in the caller's unit of work and
 * commit with its change, or, in `uow.read`, before the answer leaves. A service's ports may extend it
 * with the reads they need.
 */
export abstract class AuditTrail {
  abstract append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void;
}

const COLUMNS = `occurred_at, actor_kind, actor_subject, acting_service, facility_code, purpose_of_use, action, patient_id, outcome, request_id, detail`;

/**
 * `audit_log` (CreateAuditLog…: append-only, UPDATE/DELETE/TRUNCATE refused by trigger): one multi-row
 * INSERT per unit of work. A service acting for a facility is recorded with both: `acting_service` names
 * it, `facility_code` the facility it spoke for.
 */
export class PgAuditTrail extends AuditTrail {
  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    const who = auditActor(actor);
    const now = new Date();
    tx.write((p) => {
      const [at, kind, subject, service, facility, purpose, request] = [now, who.kind, who.subject, who.service, who.facilityCode, who.purposeOfUse, who.requestId].map(p);
      const rows = entries.map(
        (e) =>
          `(${at}::timestamptz, ${kind}, ${subject}, ${service}, ${facility}, ${purpose}, ${p(e.action)}, ${p(e.patientId)}::uuid, ${p(e.outcome)}, ${request}, ${p(JSON.stringify(e.detail ?? {}))}::jsonb)`,
      );
      return `INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`;
    });
  }
}
