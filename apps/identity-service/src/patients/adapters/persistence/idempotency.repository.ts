import { Injectable } from '@nestjs/common';
import { type Tx } from '@lienthong/persistence';
import { IdempotencyStore } from '../../ports/idempotency-store.port';

/** Writes `idempotency_keys`; PatientRepository.registrationReads reads them back in the registration's one read. */
@Injectable()
export class IdempotencyRepository extends IdempotencyStore {
  remember(tx: Tx, e: { facilityCode: string; key: string; operation: string; requestHash: Buffer; response: unknown; at: Date }): void {
    tx.write(
      (p) =>
        `INSERT INTO idempotency_keys (facility_code, key, operation, request_hash, response, created_at)
         VALUES (${p(e.facilityCode)}, ${p(e.key)}, ${p(e.operation)}, ${p(e.requestHash)}::bytea, ${p(JSON.stringify(e.response))}::jsonb, ${p(e.at)}::timestamptz)`,
    );
  }
}
