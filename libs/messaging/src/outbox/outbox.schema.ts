import { type MigrationInterface, type QueryRunner } from 'typeorm';

export const OUTBOX_TABLE = 'outbox';
/** LISTEN/NOTIFY channel the writer signals at commit; a wake-up hint only, never the sole trigger. */
export const OUTBOX_CHANNEL = 'lienthong_outbox';

/**
 * The outbox. `tx_id` is the writing transaction's 64-bit id, stamped by the default so callers
 * cannot forget it; the relay publishes a row only once every transaction that could still commit
 * an older `tx_id` has finished (see OutboxRelay). `headers` holds the complete Kafka headers
 * (CloudEvents attributes and trace context) and `value` the encoded data, so the relay copies bytes
 * and never re-encodes.
 *
 * There is deliberately no TypeORM entity: TypeORM does not know `xid8`, and nobody but the writer
 * and the relay touches this table. Include `CreateOutbox…` in the service's migration list.
 */
export const CREATE_OUTBOX_SQL = `
CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
  id          bigserial   PRIMARY KEY,
  tx_id       xid8        NOT NULL DEFAULT pg_current_xact_id(),
  topic       text        NOT NULL,
  key         text,
  headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  value       bytea,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_tx_id_id_idx ON ${OUTBOX_TABLE} (tx_id, id);
`;

export const DROP_OUTBOX_SQL = `DROP TABLE IF EXISTS ${OUTBOX_TABLE};`;

export class CreateOutbox1795600000000 implements MigrationInterface {
  readonly name = 'CreateOutbox1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(CREATE_OUTBOX_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DROP_OUTBOX_SQL);
  }
}
