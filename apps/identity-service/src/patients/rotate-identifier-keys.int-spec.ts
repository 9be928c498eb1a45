import { TypeormUnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { createTestDatabase, type TestDatabase } from '@lienthong/testing';
import { type IdentifierSystem } from '@lienthong/vn-standards';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { loadIdentityKeys } from '../config/identity-keys.config';
import { IdentifierCrypto } from '../crypto/identifier-crypto';
import { identityDataSourceOptions } from '../persistence/data-source';
import { AuditTrailRepository } from './adapters/persistence/audit-trail.repository';
import { PatientRepository } from './adapters/persistence/patient.repository';
import { type AuditEntry } from './ports/audit-trail.port';
import { KEY_ROTATION_AUDIT_ACTION, RotateIdentifierKeysUseCase, UnknownEncryptionKeyError } from './use-cases/rotate-identifier-keys/rotate-identifier-keys.use-case';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const KEYS = `keyA:${key(1)},keyB:${key(2)}`;
const cryptoWith = (active: string, keys = KEYS) =>
  new IdentifierCrypto(loadIdentityKeys({ IDENTITY_ENCRYPTION_KEYS: keys, IDENTITY_ENCRYPTION_ACTIVE_KEY: active, IDENTITY_BLIND_INDEX_KEY: key(9) }));
const underA = cryptoWith('keyA');
const underB = cryptoWith('keyB');

const DEMOGRAPHICS = {
  fullName: 'Nguyễn Văn An',
  nameFolded: 'nguyen van an',
  nameTokenKey: 'an nguyen van',
  birthDate: { year: 1985 },
  sex: 1,
  provinceCode: '79',
  communeCode: undefined,
  addressLine: undefined,
  phone: undefined,
} as const;

describe('rotate identifier keys (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: TypeormUnitOfWork;
  const patients = new PatientRepository();
  const audit = new AuditTrailRepository();
  /** identifier id → the plaintext it was stored with. */
  let plaintexts: Map<string, { system: IdentifierSystem; value: string }>;
  /** audit_log is append-only (TRUNCATE too): a test counts the rows after this id. */
  let auditMark: string;

  beforeAll(async () => {
    db = await createTestDatabase('identity_keyrot');
    dataSource = new DataSource(identityDataSourceOptions({ url: db.url, poolSize: 6 }));
    await dataSource.initialize();
    await dataSource.runMigrations();
    uow = new TypeormUnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE patient_identifiers, patient_blocking_keys, patient_source_records, facility_links, patients`);
    plaintexts = new Map();
    const [mark] = await dataSource.query<{ id: string }[]>(`SELECT coalesce(max(id), 0) AS id FROM audit_log`);
    auditMark = mark?.id ?? '0';
  });

  /** `people` patients with a CCCD and a BHYT number each, written through the repository under `crypto`'s active key. */
  async function seed(people: number, crypto: IdentifierCrypto): Promise<void> {
    for (let start = 0; start < people; start += 250) {
      await uow.run(async (tx) => {
        const now = new Date();
        for (let n = start; n < Math.min(people, start + 250); n += 1) {
          const patientId = uuidv7();
          patients.insertPatient(tx, patientId, DEMOGRAPHICS, now);
          const values: [IdentifierSystem, string][] = [
            ['cccd', `0790850${String(plaintexts.size).padStart(5, '0')}`],
            ['bhyt', `DN479${String(plaintexts.size).padStart(10, '0')}`],
          ];
          patients.insertIdentifiers(
            tx,
            patientId,
            '79001',
            values.map(([system, value]) => {
              const id = uuidv7();
              plaintexts.set(id, { system, value });
              return { id, system, encrypted: crypto.encrypt(system, value), blindIndex: crypto.blindIndex(system, value), status: 'active', flags: [] };
            }),
            now,
          );
        }
      });
    }
  }

  async function rowsByKey(): Promise<Record<string, number>> {
    const rows: { key_id: string; n: string }[] = await dataSource.query(`SELECT key_id, count(*) AS n FROM patient_identifiers GROUP BY key_id`);
    return Object.fromEntries(rows.map((r) => [r.key_id, Number(r.n)]));
  }

  /** Every stored value decrypts (under the configured keys) to what was written. */
  async function expectValuesIntact(crypto: IdentifierCrypto): Promise<void> {
    const rows: { id: string; system: string; value_ciphertext: Buffer; key_id: string }[] = await dataSource.query(
      `SELECT id, system, value_ciphertext, key_id FROM patient_identifiers`,
    );
    expect(rows).toHaveLength(plaintexts.size);
    for (const r of rows) expect(crypto.decrypt(r.system, { ciphertext: r.value_ciphertext, keyId: r.key_id })).toBe(plaintexts.get(r.id)?.value);
  }

  /** Rows re-encrypted as the audit trail says: by these runs, or by every run of this test. */
  async function auditedRows(runIds?: readonly string[]): Promise<number> {
    const rows: { n: string | null }[] = await dataSource.query(
      `SELECT sum((detail->>'rows')::int) AS n FROM audit_log WHERE id > $1 AND action = $2 AND ($3::text[] IS NULL OR request_id = ANY($3))`,
      [auditMark, KEY_ROTATION_AUDIT_ACTION, runIds ?? null],
    );
    return Number(rows[0]?.n ?? 0);
  }

  const rotation = (crypto = underB, trail: Pick<AuditTrailRepository, 'append'> = audit) => new RotateIdentifierKeysUseCase(uow, patients, trail, crypto);

  it('moves every row written under key A onto key B, each still decrypting to the same value, audited per batch', async () => {
    await seed(600, underA);
    expect(await rowsByKey()).toEqual({ keyA: 1200 });

    const summary = await rotation().execute({ batchSize: 250 });

    expect(summary).toMatchObject({ rowsByKey: { keyA: 1200 }, reencrypted: 1200, batches: 5, left: 0, stoppedBy: 'done' });
    expect(await rowsByKey()).toEqual({ keyB: 1200 });
    await expectValuesIntact(underB);
    // Key B alone now reads everything: key A can be dropped from the configuration.
    await expectValuesIntact(cryptoWith('keyB', `keyB:${key(2)}`));
    expect(await auditedRows([summary.runId])).toBe(1200);
    const trail: { actor_kind: string; actor_subject: string; patient_id: string | null; detail: unknown }[] = await dataSource.query(
      `SELECT actor_kind, actor_subject, patient_id, detail FROM audit_log WHERE request_id = $1`,
      [summary.runId],
    );
    expect(trail).toHaveLength(5);
    expect(trail[0]).toEqual({ actor_kind: 'service', actor_subject: 'identity-service/rotate-keys', patient_id: null, detail: { rows: 250, fromKeys: { keyA: 250 }, toKey: 'keyB' } });

    const again = await rotation().execute({ batchSize: 250 });
    expect(again).toMatchObject({ reencrypted: 0, left: 0 });
  });

  it('resumes: a run stopped mid-way, and one whose batch died before COMMIT, are finished by the next run with no row done twice', async () => {
    await seed(500, underA);
    const stop = new AbortController();
    let batches = 0;
    const stopped = await rotation().execute({ batchSize: 100 }, { signal: stop.signal, onProgress: () => (++batches === 3 ? stop.abort() : undefined) });
    expect(stopped).toMatchObject({ reencrypted: 300, left: 700, stoppedBy: 'signal' });
    expect(await rowsByKey()).toEqual({ keyA: 700, keyB: 300 });

    // As if the process were killed mid-batch: the second batch's writes are queued, then the work dies before COMMIT.
    let appended = 0;
    const dying = {
      append(tx: Parameters<AuditTrailRepository['append']>[0], actor: Actor, entries: readonly AuditEntry[]) {
        audit.append(tx, actor, entries);
        if (++appended === 2) throw new Error('killed');
      },
    };
    await expect(rotation(underB, dying).execute({ batchSize: 100 })).rejects.toThrow('killed');
    expect(await rowsByKey()).toEqual({ keyA: 600, keyB: 400 });

    const finished = await rotation().execute({ batchSize: 100 });
    expect(finished).toMatchObject({ reencrypted: 600, left: 0, stoppedBy: 'done' });
    await expectValuesIntact(underB);
    // 300 + 100 (the dying run's first batch committed; its second left no audit row either) + 600: each row exactly once.
    expect(await auditedRows([stopped.runId, finished.runId])).toBe(900);
    expect(await auditedRows()).toBe(1000);
  });

  it('two concurrent runs share the work without error and without re-encrypting any row twice', async () => {
    await seed(1500, underA);
    const [a, b] = await Promise.all([rotation().execute({ batchSize: 100 }), rotation().execute({ batchSize: 100 })]);

    expect(a.reencrypted + b.reencrypted).toBe(3000);
    expect(a.reencrypted).toBeGreaterThan(0);
    expect(b.reencrypted).toBeGreaterThan(0);
    expect(await auditedRows([a.runId, b.runId])).toBe(3000);
    expect(await rowsByKey()).toEqual({ keyB: 3000 });
    await expectValuesIntact(underB);
  });

  it('passes over a row a live transaction holds instead of waiting for it; the next run takes it', async () => {
    await seed(100, underA);
    const [held] = await dataSource.query<{ id: string }[]>(`SELECT id FROM patient_identifiers ORDER BY id OFFSET 42 LIMIT 1`);
    const other = dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`UPDATE patient_identifiers SET status = status WHERE id = $1`, [held?.id]);
      const summary = await rotation().execute({ batchSize: 30 });
      expect(summary).toMatchObject({ reencrypted: 199, left: 1, stoppedBy: 'done' });
    } finally {
      await other.query('ROLLBACK');
      await other.release();
    }
    expect(await rotation().execute({ batchSize: 30 })).toMatchObject({ reencrypted: 1, left: 0 });
    await expectValuesIntact(underB);
  });

  it('refuses to start when a row is under a key id the configuration does not list, naming the id, changing nothing', async () => {
    await seed(20, underA);
    const retired = cryptoWith('keyR', `keyR:${key(5)}`);
    await seed(3, retired);

    const refused = rotation().execute({ batchSize: 10 });
    await expect(refused).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(refused).rejects.toThrow(/keyR \(6 rows\)/);
    expect(await rowsByKey()).toEqual({ keyA: 40, keyR: 6 });
  });
});
