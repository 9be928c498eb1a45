import type { Db, Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type LabResult } from '../../domain/lab-result';
import { LabResultStore } from '../../ports/lab-result-store.port';

interface LabResultRow {
  id: string;
  facility_code: string;
  note: string;
  created_by: string;
  created_at: Date;
}

/** Each statement of the lab_results table, once. */
@Injectable()
export class LabResultRepository extends LabResultStore {
  insert(tx: Tx, r: LabResult): void {
    tx.write(
      (p) =>
        `INSERT INTO lab_results (id, facility_code, note, created_by, created_at)
         VALUES (${p(r.id)}::uuid, ${p(r.facilityCode)}, ${p(r.note)}, ${p(r.createdBy)}, ${p(r.createdAt)}::timestamptz)`,
    );
  }

  async findById(db: Db, id: string): Promise<LabResult | undefined> {
    const [row] = await db.query<LabResultRow>(
      `SELECT id, facility_code, note, created_by, created_at FROM lab_results WHERE id = $1`,
      [id],
    );
    return row
      ? { id: row.id, facilityCode: row.facility_code, note: row.note, createdBy: row.created_by, createdAt: row.created_at }
      : undefined;
  }
}
