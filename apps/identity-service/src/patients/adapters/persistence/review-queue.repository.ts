import { Injectable } from '@nestjs/common';
import { type Db, type Tx } from '@lienthong/persistence';
import { type FieldComparison } from '../../domain/patient';
import { ReviewQueue, type ReviewItem, type ReviewKind, type ReviewStatus } from '../../ports/review-queue.port';

interface ReviewRow {
  id: string;
  kind: ReviewKind;
  incoming_patient_id: string;
  candidate_patient_id: string;
  facility_code: string;
  local_id: string;
  score: number;
  comparisons: FieldComparison[];
  warnings: string[];
  status: ReviewStatus;
  created_at: Date;
}

const COLUMNS = `id, kind, incoming_patient_id, candidate_patient_id, facility_code, local_id, score, comparisons, warnings, status, created_at`;

function toItem(r: ReviewRow): ReviewItem {
  return {
    id: r.id,
    kind: r.kind,
    incomingPatientId: r.incoming_patient_id,
    candidatePatientId: r.candidate_patient_id,
    facilityCode: r.facility_code,
    localId: r.local_id,
    score: r.score,
    comparisons: r.comparisons,
    warnings: r.warnings,
    status: r.status,
    createdAt: r.created_at,
  };
}

@Injectable()
export class ReviewQueueRepository extends ReviewQueue {
  open(tx: Tx, item: Omit<ReviewItem, 'status'>): void {
    tx.write(
      (p) =>
        // ON CONFLICT: the one-open-conflict-per-link index; a duplicate item never collides (fresh UUIDv7 id).
        `INSERT INTO review_items (${COLUMNS}) VALUES (${p(item.id)}::uuid, ${p(item.kind)}, ${p(item.incomingPatientId)}::uuid, ${p(item.candidatePatientId)}::uuid, ${p(item.facilityCode)},
         ${p(item.localId)}, ${p(item.score)}::float8, ${p(JSON.stringify(item.comparisons))}::jsonb, ${p(JSON.stringify(item.warnings))}::jsonb, 'open', ${p(item.createdAt)}::timestamptz)
         ON CONFLICT DO NOTHING`,
    );
  }

  async lockForDecision(tx: Tx, id: string): Promise<ReviewItem | undefined> {
    const [row] = await tx.query<ReviewRow>(`SELECT ${COLUMNS} FROM review_items WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toItem(row) : undefined;
  }

  close(tx: Tx, id: string, d: { status: 'confirmed' | 'rejected'; by: string; at: Date; mergeId: string | null }): void {
    tx.write(
      (p) =>
        `UPDATE review_items SET status = ${p(d.status)}, decided_by = ${p(d.by)}, decided_at = ${p(d.at)}::timestamptz, merge_id = ${p(d.mergeId)}::uuid WHERE id = ${p(id)}::uuid`,
    );
  }

  async listOpen(db: Db, cursor: string | undefined, limit: number): Promise<ReviewItem[]> {
    const rows = await db.query<ReviewRow>(
      `SELECT ${COLUMNS} FROM review_items WHERE status = 'open' AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [cursor ?? null, limit],
    );
    return rows.map(toItem);
  }
}
