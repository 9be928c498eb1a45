import type { Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type Grantee } from '../../domain/consent';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { type DueExpiry, ExpiryQueue } from '../../ports/expiry-queue.port';

interface DueRow {
  consent_id: string;
  version: number;
  enterprise_patient_id: string;
  ends_at: Date;
  purposes: PurposeOfUse[];
  categories: DataCategory[];
  grantees: Grantee[];
  valid_from: Date;
  valid_until: Date | null;
}

/**
 * `consent_expiries` as a work queue. The claim locks only the queue rows (`FOR UPDATE OF e`), skips
 * rows another replica has locked, and uses the partial index of pending ends; the clock is the
 * database's, so replicas with drifting clocks agree on what is due.
 */
@Injectable()
export class ExpiryQueueRepository extends ExpiryQueue {
  async claimDue(tx: Tx, limit: number): Promise<DueExpiry[]> {
    const rows = await tx.query<DueRow>(
      `SELECT e.consent_id, e.version, c.enterprise_patient_id, e.ends_at, v.purposes, v.categories, v.grantees, v.valid_from, v.valid_until
         FROM consent_expiries e
         JOIN consent_versions v ON v.consent_id = e.consent_id AND v.version = e.version
         JOIN consents c ON c.consent_id = e.consent_id
        WHERE e.published_at IS NULL AND e.superseded = false AND e.ends_at <= now()
        ORDER BY e.ends_at
        LIMIT $1
        FOR UPDATE OF e SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({
      consentId: r.consent_id,
      version: r.version,
      enterprisePatientId: r.enterprise_patient_id,
      endsAt: r.ends_at,
      scope: { purposes: r.purposes, categories: r.categories, grantees: r.grantees, validFrom: r.valid_from, validUntil: r.valid_until },
    }));
  }

  markPublished(tx: Tx, expiries: readonly Pick<DueExpiry, 'consentId' | 'version'>[], at: Date): void {
    if (expiries.length === 0) return;
    tx.write(
      (p) =>
        `UPDATE consent_expiries e SET published_at = ${p(at)}::timestamptz
           FROM unnest(${p(expiries.map((x) => x.consentId))}::uuid[], ${p(expiries.map((x) => x.version))}::int[]) AS done(consent_id, version)
          WHERE e.consent_id = done.consent_id AND e.version = done.version`,
    );
  }
}
