import type { Db, Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type Consent } from '../../domain/consent';
import { ConsentStore } from '../../ports/consent-store.port';

interface ConsentRow {
  id: string;
  facility_code: string;
  note: string;
  created_by: string;
  created_at: Date;
}

/** Each statement of the consents table, once. */
@Injectable()
export class ConsentRepository extends ConsentStore {
  insert(tx: Tx, r: Consent): void {
    tx.write(
      (p) =>
        `INSERT INTO consents (id, facility_code, note, created_by, created_at)
         VALUES (${p(r.id)}::uuid, ${p(r.facilityCode)}, ${p(r.note)}, ${p(r.createdBy)}, ${p(r.createdAt)}::timestamptz)`,
    );
  }

  async findById(db: Db, id: string): Promise<Consent | undefined> {
    const [row] = await db.query<ConsentRow>(
      `SELECT id, facility_code, note, created_by, created_at FROM consents WHERE id = $1`,
      [id],
    );
    return row
      ? { id: row.id, facilityCode: row.facility_code, note: row.note, createdBy: row.created_by, createdAt: row.created_at }
      : undefined;
  }
}
