import type { Db, Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type CanonicalLine } from '../../domain/canonical-result';
import { type AcceptedVisit, type ClaimedVisit, type LockedVisit, type VisitHead, type VisitStatus, VisitStore, type WaitingVisit } from '../../ports/visit-store.port';
import { knownPatientSql } from './patient-resolution.repository';

/** The visit's head (all null when it was never accepted) and the patient already known. */
type LockRow = { known_patient_id: string | null } & (
  | { visit_id: string; status: VisitStatus; content_hash: string; generation: number; enterprise_patient_id: string | null }
  | { visit_id: null }
);

interface WaitingRow {
  visit_id: string;
  facility_code: string;
  ma_lk: string;
  status: VisitStatus;
  generation: number;
  demographics: Buffer | null;
  lines: CanonicalLine[];
  attempts: number;
}

/** `visits`, each statement once. */
@Injectable()
export class VisitRepository extends VisitStore {
  async lock(tx: Tx, facilityCode: string, maLk: string, patient: { readonly localId: string; readonly fingerprint: string }): Promise<LockedVisit> {
    // One row whether or not the visit exists: its head (locked) and the patient already known.
    const [row] = await tx.query<LockRow>(
      `WITH head AS (SELECT visit_id, status, content_hash, generation, enterprise_patient_id FROM visits WHERE facility_code = $1 AND ma_lk = $2 FOR UPDATE)
       SELECT h.visit_id, h.status, h.content_hash, h.generation, h.enterprise_patient_id, ${knownPatientSql('$1', '$3', '$4')} AS known_patient_id
         FROM (SELECT 1) AS one LEFT JOIN head h ON true`,
      [facilityCode, maLk, patient.localId, patient.fingerprint],
    );
    const head: VisitHead | undefined =
      row === undefined || row.visit_id === null
        ? undefined
        : { visitId: row.visit_id, status: row.status, contentHash: row.content_hash, generation: row.generation, enterprisePatientId: row.enterprise_patient_id };
    return { head, knownPatientId: row?.known_patient_id ?? undefined };
  }

  accept(tx: Tx, v: AcceptedVisit): void {
    const waiting = v.state.status === 'pending-patient' ? v.state : undefined;
    const patient = v.state.status === 'resolved' ? v.state.enterprisePatientId : null;
    // A waiting visit keeps the patient an earlier generation resolved to (the audit names it) until identity answers.
    tx.write(
      (p) => `INSERT INTO visits (visit_id, facility_code, ma_lk, status, enterprise_patient_id, demographics, lines, content_hash, generation, attempts, next_attempt_at, last_error, received_at, updated_at)
        VALUES (${p(v.visitId)}::uuid, ${p(v.facilityCode)}, ${p(v.maLk)}, ${p(v.state.status)}, ${p(patient)}::uuid, ${p(waiting?.demographics ?? null)}::bytea, ${p(JSON.stringify(v.lines))}::jsonb,
                ${p(v.contentHash)}, ${p(v.generation)}::integer, 0, ${p(waiting?.nextAttemptAt ?? null)}::timestamptz, NULL, ${p(v.at)}::timestamptz, ${p(v.at)}::timestamptz)
        ON CONFLICT (facility_code, ma_lk) DO UPDATE SET status = EXCLUDED.status, enterprise_patient_id = coalesce(EXCLUDED.enterprise_patient_id, visits.enterprise_patient_id),
          demographics = EXCLUDED.demographics, lines = EXCLUDED.lines, content_hash = EXCLUDED.content_hash, generation = EXCLUDED.generation, attempts = 0,
          next_attempt_at = EXCLUDED.next_attempt_at, last_error = NULL, received_at = EXCLUDED.received_at, updated_at = EXCLUDED.updated_at`,
    );
  }

  async loadForResolution(tx: Tx, visitId: string): Promise<WaitingVisit | undefined> {
    const [row] = await tx.query<WaitingRow>(
      `SELECT visit_id, facility_code, ma_lk, status, generation, demographics, lines, attempts FROM visits WHERE visit_id = $1::uuid FOR UPDATE`,
      [visitId],
    );
    return row === undefined
      ? undefined
      : {
          visitId: row.visit_id,
          facilityCode: row.facility_code,
          maLk: row.ma_lk,
          status: row.status,
          generation: row.generation,
          demographics: row.demographics,
          lines: row.lines,
          attempts: row.attempts,
        };
  }

  async claimDue(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedVisit[]> {
    const rows = await tx.query<Omit<WaitingRow, 'status' | 'lines'> & { demographics: Buffer }>(
      // A SELECT around the UPDATE: the driver hands back the rows of a SELECT (an UPDATE's come as [rows, count]).
      `WITH due AS (SELECT visit_id FROM visits WHERE status = 'pending-patient' AND next_attempt_at <= $1::timestamptz AND demographics IS NOT NULL
                    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
            claimed AS (UPDATE visits v SET attempts = v.attempts + 1, next_attempt_at = $2::timestamptz, updated_at = $1::timestamptz
                          FROM due WHERE v.visit_id = due.visit_id
                        RETURNING v.visit_id, v.facility_code, v.ma_lk, v.generation, v.demographics, v.attempts)
       SELECT * FROM claimed`,
      [now, leaseUntil, limit],
    );
    return rows.map((r) => ({ visitId: r.visit_id, facilityCode: r.facility_code, maLk: r.ma_lk, generation: r.generation, demographics: r.demographics, attempts: r.attempts }));
  }

  markResolved(tx: Tx, visitId: string, enterprisePatientId: string, at: Date): void {
    tx.write(
      (p) => `UPDATE visits SET status = 'resolved', enterprise_patient_id = ${p(enterprisePatientId)}::uuid, demographics = NULL, next_attempt_at = NULL, last_error = NULL,
        updated_at = ${p(at)}::timestamptz WHERE visit_id = ${p(visitId)}::uuid`,
    );
  }

  markRejected(tx: Tx, visitId: string, reason: string, at: Date): void {
    tx.write(
      (p) => `UPDATE visits SET status = 'rejected', demographics = NULL, next_attempt_at = NULL, last_error = ${p(reason)}, updated_at = ${p(at)}::timestamptz
        WHERE visit_id = ${p(visitId)}::uuid`,
    );
  }

  retryLater(tx: Tx, visitId: string, nextAttemptAt: Date, error: string, at: Date): void {
    tx.write(
      (p) => `UPDATE visits SET next_attempt_at = ${p(nextAttemptAt)}::timestamptz, last_error = ${p(error)}, updated_at = ${p(at)}::timestamptz
        WHERE visit_id = ${p(visitId)}::uuid AND status = 'pending-patient'`,
    );
  }

  async countWaiting(db: Db): Promise<number> {
    const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM visits WHERE status = 'pending-patient'`);
    return Number(row?.n ?? 0);
  }
}
