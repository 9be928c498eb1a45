import { UnitOfWork, type Db, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { type IdentifierSystem } from '@lienthong/vn-standards';
import { loadIdentityKeys } from '../../../config/identity-keys.config';
import { IdentifierCrypto, IdentifierDecryptionError } from '../../../crypto/identifier-crypto';
import { type AuditEntry } from '../../ports/audit-trail.port';
import { type KeyedIdentifier, type RewrappedIdentifier } from '../../ports/patient-store.port';
import { KEY_ROTATION_AUDIT_ACTION, RotateIdentifierKeysUseCase, UnknownEncryptionKeyError, type RotationProgress } from './rotate-identifier-keys.use-case';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const cryptoWith = (active: string, keys = `old:${key(1)},new:${key(2)}`) =>
  new IdentifierCrypto(loadIdentityKeys({ IDENTITY_ENCRYPTION_KEYS: keys, IDENTITY_ENCRYPTION_ACTIVE_KEY: active, IDENTITY_BLIND_INDEX_KEY: key(9) }));
const oldCrypto = cryptoWith('old');
const newCrypto = cryptoWith('new');

/** patient_identifiers in memory: rows in id order; `held` are rows another transaction has locked. */
class IdentifierTable {
  readonly rows = new Map<string, KeyedIdentifier>();
  readonly held = new Set<string>();
  rewrites = 0;

  async countIdentifiersByKey(_db: Db) {
    const counts = new Map<string, number>();
    for (const r of this.rows.values()) counts.set(r.encrypted.keyId, (counts.get(r.encrypted.keyId) ?? 0) + 1);
    return [...counts].map(([keyId, rows]) => ({ keyId, rows }));
  }

  async lockIdentifiersNotUnder(_tx: Tx, keyId: string, afterId: string | undefined, limit: number) {
    return [...this.rows.values()]
      .filter((r) => r.encrypted.keyId !== keyId && (afterId === undefined || r.id > afterId) && !this.held.has(r.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  rewrapIdentifiers(_tx: Tx, rows: readonly RewrappedIdentifier[]) {
    for (const r of rows) {
      const current = this.rows.get(r.id);
      if (current?.encrypted.keyId !== r.fromKeyId) continue;
      this.rows.set(r.id, { ...current, encrypted: r.encrypted });
      this.rewrites += 1;
    }
  }
}

/** Runs the work; the table applies writes at once, and nothing in these specs writes before a throw. */
class InlineUnitOfWork extends UnitOfWork {
  transactions = 0;
  constructor(private readonly onRun: () => void = () => undefined) {
    super();
  }
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.transactions += 1;
    this.onRun();
    return work({} as Tx);
  }
  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return work({} as Tx);
  }
}

class RecordedAudit {
  readonly entries: { actor: Actor; entry: AuditEntry }[] = [];
  append(_tx: Tx, actor: Actor, entries: readonly AuditEntry[]) {
    for (const entry of entries) this.entries.push({ actor, entry });
  }
}

const SYSTEMS: IdentifierSystem[] = ['cccd', 'bhyt', 'passport'];
const valueOf = (n: number) => `0791850${String(n).padStart(5, '0')}`;

function tableUnder(crypto: IdentifierCrypto, count: number, start = 0): IdentifierTable {
  const table = new IdentifierTable();
  for (let n = start; n < start + count; n += 1) {
    const system = SYSTEMS[n % SYSTEMS.length] ?? 'cccd';
    const id = `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    table.rows.set(id, { id, system, encrypted: crypto.encrypt(system, valueOf(n)) });
  }
  return table;
}

function setup(table: IdentifierTable, crypto = newCrypto, onRun?: () => void) {
  const uow = new InlineUnitOfWork(onRun);
  const audit = new RecordedAudit();
  return { uow, audit, useCase: new RotateIdentifierKeysUseCase(uow, table, audit, crypto) };
}

const decryptedValues = (table: IdentifierTable) => [...table.rows.values()].map((r) => newCrypto.decrypt(r.system, r.encrypted)).sort();

describe('RotateIdentifierKeysUseCase', () => {
  it('moves every row onto the active key in batches; each value still decrypts to what it was', async () => {
    const table = tableUnder(oldCrypto, 25);
    const before = decryptedValues(table);
    const progress: RotationProgress[] = [];
    const { useCase, uow } = setup(table);

    const summary = await useCase.execute({ batchSize: 10 }, { onProgress: (p) => progress.push(p) });

    expect([...table.rows.values()].every((r) => r.encrypted.keyId === 'new')).toBe(true);
    expect(decryptedValues(table)).toEqual(before);
    expect(summary).toMatchObject({ activeKeyId: 'new', rowsByKey: { old: 25 }, reencrypted: 25, batches: 3, left: 0, stoppedBy: 'done' });
    expect(progress.map((p) => [p.reencrypted, p.left])).toEqual([[10, 15], [20, 5], [25, 0]]);
    // 3 batches, the pass that finds the cursor at the end, and the pass from the start that finds nothing.
    expect(uow.transactions).toBe(5);
  });

  it('audits each batch as the service itself, with counts and key ids and never a value', async () => {
    const table = tableUnder(oldCrypto, 12);
    const { useCase, audit } = setup(table);
    const summary = await useCase.execute({ batchSize: 5 });

    expect(audit.entries.map((e) => e.entry)).toEqual([5, 5, 2].map((rows) => ({
      action: KEY_ROTATION_AUDIT_ACTION,
      patientId: null,
      outcome: 'success',
      detail: { rows, fromKeys: { old: rows }, toKey: 'new' },
    })));
    expect(audit.entries.every((e) => e.actor.kind === 'service' && e.actor.requestId === summary.runId)).toBe(true);
    const written = JSON.stringify(audit.entries);
    for (let n = 0; n < 12; n += 1) expect(written).not.toContain(valueOf(n));
  });

  it('refuses to start when rows are under a key id the configuration no longer lists, naming the ids only', async () => {
    const table = tableUnder(cryptoWith('gone', `gone:${key(3)}`), 2);
    for (const [id, row] of tableUnder(oldCrypto, 3, 10).rows) table.rows.set(id, row);
    const { useCase, audit } = setup(table);

    const refused = useCase.execute({ batchSize: 10 });
    await expect(refused).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(refused).rejects.toThrow('gone (2 rows)');
    expect(table.rewrites).toBe(0);
    expect(audit.entries).toEqual([]);
  });

  it('is idempotent: a second run finds nothing to do', async () => {
    const table = tableUnder(oldCrypto, 7);
    const { useCase } = setup(table);
    await useCase.execute({ batchSize: 3 });
    const again = await useCase.execute({ batchSize: 3 });
    expect(again).toMatchObject({ reencrypted: 0, batches: 0, left: 0, stoppedBy: 'done', rowsByKey: { new: 7 } });
    expect(table.rewrites).toBe(7);
  });

  it('stops after the batch in flight when aborted; the next run finishes the rest', async () => {
    const table = tableUnder(oldCrypto, 30);
    const { useCase } = setup(table);
    const stop = new AbortController();

    const first = await useCase.execute({ batchSize: 10 }, { signal: stop.signal, onProgress: () => stop.abort() });
    expect(first).toMatchObject({ reencrypted: 10, left: 20, stoppedBy: 'signal' });

    const second = await useCase.execute({ batchSize: 10 });
    expect(second).toMatchObject({ reencrypted: 20, left: 0, stoppedBy: 'done' });
    expect(table.rewrites).toBe(30);
  });

  it('starts no batch once --max-seconds has passed', async () => {
    jest.useFakeTimers();
    try {
      const table = tableUnder(oldCrypto, 50);
      // Each transaction takes 400 ms of (fake) time: the third batch would start at 0.8 s.
      const { useCase } = setup(table, newCrypto, () => jest.advanceTimersByTime(400));
      const summary = await useCase.execute({ batchSize: 10, maxSeconds: 0.7 });
      expect(summary).toMatchObject({ reencrypted: 20, batches: 2, left: 30, stoppedBy: 'max-seconds' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('passes over rows another transaction holds and reports them as left', async () => {
    const table = tableUnder(oldCrypto, 10);
    const heldId = [...table.rows.keys()][3] ?? '';
    table.held.add(heldId);
    const { useCase } = setup(table);

    const summary = await useCase.execute({ batchSize: 4 });
    expect(summary).toMatchObject({ reencrypted: 9, left: 1, stoppedBy: 'done' });
    expect(table.rows.get(heldId)?.encrypted.keyId).toBe('old');
  });

  it('stops on a value that does not decrypt, naming the row and its key, writing nothing of that batch', async () => {
    const table = tableUnder(oldCrypto, 6);
    const broken = [...table.rows.values()][4];
    if (!broken) throw new Error('fixture');
    const tampered = Buffer.from(broken.encrypted.ciphertext);
    tampered[14] = (tampered[14] ?? 0) ^ 1;
    table.rows.set(broken.id, { ...broken, encrypted: { ...broken.encrypted, ciphertext: tampered } });
    const { useCase } = setup(table);

    const failed = useCase.execute({ batchSize: 3 });
    await expect(failed).rejects.toThrow(IdentifierDecryptionError);
    await expect(failed).rejects.toThrow(`identifier ${broken.id} (key old)`);
    expect(table.rewrites).toBe(3);
  });

  it('dry run: checks the keys against one batch and counts, changing nothing', async () => {
    const table = tableUnder(oldCrypto, 8);
    const { useCase, audit } = setup(table);
    const summary = await useCase.execute({ batchSize: 5, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, stoppedBy: 'dry-run', reencrypted: 0, left: 8, rowsByKey: { old: 8 } });
    expect(table.rewrites).toBe(0);
    expect(audit.entries).toEqual([]);

    // Right key id, wrong key material: the dry run is where an operator finds out.
    const wrongOld = setup(table, cryptoWith('new', `old:${key(7)},new:${key(2)}`));
    await expect(wrongOld.useCase.execute({ batchSize: 5, dryRun: true })).rejects.toThrow(/key old\) cannot be re-encrypted/);
  });

  it('rejects a batch size outside 1–10,000 before touching anything', async () => {
    const table = tableUnder(oldCrypto, 1);
    const { useCase, uow } = setup(table);
    await expect(useCase.execute({ batchSize: 0 })).rejects.toThrow();
    await expect(useCase.execute({ batchSize: 20_000 })).rejects.toThrow();
    expect(uow.transactions).toBe(0);
  });
});
