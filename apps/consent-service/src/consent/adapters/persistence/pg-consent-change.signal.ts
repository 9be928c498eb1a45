import type { Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';

/** The Postgres channel every replica LISTENs on (adapters/cache). */
export const CONSENT_CHANGE_CHANNEL = 'consent_state_changed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `pg_notify` queued with the unit of work's writes: Postgres delivers it at commit, never on rollback. */
@Injectable()
export class PgConsentChangeSignal extends ConsentChangeSignal {
  changed(tx: Tx, enterprisePatientIds: readonly string[]): void {
    for (const id of new Set(enterprisePatientIds)) {
      // signal() takes an expression, not parameters: only a well-formed UUID may reach it.
      if (!UUID.test(id)) throw new Error('consent change signal: not a UUID');
      tx.signal(`pg_notify('${CONSENT_CHANGE_CHANNEL}', '${id.toLowerCase()}')`);
    }
  }
}
