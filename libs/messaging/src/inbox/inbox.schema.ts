import { type MigrationInterface, type QueryRunner } from 'typeorm';

export const INBOX_TABLE = 'inbox';

/**
 * One row per (consumer, event) already applied. The row is inserted in the same transaction as
 * the handler's effects, so "applied" and "recorded as applied" can never disagree. Event ids are
 * UUIDv7 minted by buildEvent; the source is kept for diagnosis.
 *
 * Rows may be pruned (pruneInbox) once older than the topic's retention: Kafka cannot redeliver
 * anything older than that.
 */
export const CREATE_INBOX_SQL = `
CREATE TABLE IF NOT EXISTS ${INBOX_TABLE} (
  consumer      text        NOT NULL,
  event_id      text        NOT NULL,
  event_type    text        NOT NULL,
  event_source  text        NOT NULL,
  topic         text        NOT NULL,
  "partition"   integer     NOT NULL,
  "offset"      bigint      NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS ${INBOX_TABLE}_processed_at_idx ON ${INBOX_TABLE} (processed_at);
`;

export const DROP_INBOX_SQL = `DROP TABLE IF EXISTS ${INBOX_TABLE};`;

export class CreateInbox1795600000001 implements MigrationInterface {
  readonly name = 'CreateInbox1795600000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(CREATE_INBOX_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DROP_INBOX_SQL);
  }
}
