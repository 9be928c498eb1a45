import { type Tx, type UnitOfWork } from '@lienthong/persistence';
import { type ServiceActor } from '@lienthong/platform';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { IdentifierDecryptionError, type IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { type EncryptedValue } from '../../domain/patient';
import { type AuditTrail } from '../../ports/audit-trail.port';
import { type KeyedIdentifier, type PatientStore, type RewrappedIdentifier } from '../../ports/patient-store.port';

/** What an operator chooses (`rotate-keys.js --batch --max-seconds --dry-run`), checked before anything runs. */
export const RotationOptions = z.object({
  /** Rows per transaction: big enough to amortise the round trips, small enough to stay a short transaction. */
  batchSize: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Start no new batch after this long; the next run continues where this one stopped. */
  maxSeconds: z.coerce.number().positive().optional(),
  /** Check keys and count rows, decrypt one batch to prove the keys are right, change nothing. */
  dryRun: z.boolean().default(false),
});
export type RotationOptions = z.input<typeof RotationOptions>;

export interface RotationHooks {
  /** Aborting stops the job after the batch in flight (SIGINT/SIGTERM in the CLI). */
  readonly signal?: AbortSignal;
  /** Called once the key check passed, with what there is to do. */
  readonly onStart?: (plan: { readonly runId: string; readonly activeKeyId: string; readonly rowsByKey: Readonly<Record<string, number>>; readonly left: number }) => void;
  /** Called after every committed batch. */
  readonly onProgress?: (progress: RotationProgress) => void;
}

export interface RotationProgress {
  readonly reencrypted: number;
  /** Rows not yet under the active key, estimated from the count at the start (other runners are not seen). */
  readonly left: number;
  readonly rowsPerSecond: number;
  readonly seconds: number;
  /** How long the batch's transaction took, BEGIN to COMMIT. */
  readonly batchMs: number;
}

export interface RotationSummary {
  /** Groups this run's audit rows (their request id). */
  readonly runId: string;
  readonly activeKeyId: string;
  readonly dryRun: boolean;
  /** Rows per key id when the run started. */
  readonly rowsByKey: Readonly<Record<string, number>>;
  readonly reencrypted: number;
  readonly batches: number;
  /** Rows still under another key when the run ended, counted again (0: rotation complete). */
  readonly left: number;
  /** `done`: no row it could lock was left (rows another transaction held are in `left`). */
  readonly stoppedBy: 'done' | 'max-seconds' | 'signal' | 'dry-run';
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** The longest batch transaction: the outbox relay pauses for as long as one stays open. */
  readonly longestBatchMs: number;
}

/** Some rows are under key ids the configuration no longer lists: rotating would fail on them, so nothing starts. */
export class UnknownEncryptionKeyError extends Error {
  override readonly name = 'UnknownEncryptionKeyError';
  constructor(readonly unknown: readonly { readonly keyId: string; readonly rows: number }[]) {
    super(
      `identifier rows are encrypted under key ids missing from IDENTITY_ENCRYPTION_KEYS: ${unknown.map((k) => `${k.keyId} (${k.rows} rows)`).join(', ')}; ` +
        'list those keys again before rotating',
    );
  }
}

/**
 * The job's audit principal: the service itself, on its own account. PURPOSES_OF_USE has no
 * operations purpose yet (HL7's HOPERAT), so it carries the default; the subject and action say what it was.
 */
const rotationActor = (runId: string): ServiceActor => ({
  kind: 'service',
  subject: 'identity-service/rotate-keys',
  service: 'identity-service',
  scopes: [],
  purposeOfUse: 'treatment',
  requestId: runId,
});

export const KEY_ROTATION_AUDIT_ACTION = 'identifier.key-rotated';

const staleRows = (counts: readonly { keyId: string; rows: number }[], activeKeyId: string) =>
  counts.reduce((sum, k) => (k.keyId === activeKeyId ? sum : sum + k.rows), 0);

/**
 * Moves every identifier value written under an old encryption key onto the active key, in batches,
 * each its own short transaction (the outbox relay's snapshot horizon is cluster-wide, so one long
 * transaction would stall every service's events). A batch locks its rows SKIP LOCKED, so a second
 * runner or a live registration is passed over rather than waited for, and work is never done twice.
 *
 * Resumable by construction: a finished row carries the active key id, so a run stopped anywhere
 * (kill -9 included: the batch in flight rolls back) is continued by the next. The keyset cursor only
 * saves re-reading finished rows; once it reaches the end, one pass from the start collects rows that
 * were locked by someone else on the way.
 *
 * Built by rotate-keys.ts without Nest (it runs as its own process, beside migrate.js).
 */
export class RotateIdentifierKeysUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly identifiers: Pick<PatientStore, 'countIdentifiersByKey' | 'lockIdentifiersNotUnder' | 'rewrapIdentifiers'>,
    private readonly audit: Pick<AuditTrail, 'append'>,
    private readonly crypto: IdentifierCrypto,
  ) {}

  async execute(options: RotationOptions, hooks: RotationHooks = {}): Promise<RotationSummary> {
    const { batchSize, maxSeconds, dryRun } = RotationOptions.parse(options);
    const runId = uuidv7();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const activeKeyId = this.crypto.activeKeyId;

    const before = await this.uow.read((db) => this.identifiers.countIdentifiersByKey(db));
    const unknown = before.filter((k) => !this.crypto.hasKey(k.keyId));
    if (unknown.length > 0) throw new UnknownEncryptionKeyError(unknown);
    const rowsByKey = Object.fromEntries(before.map((k) => [k.keyId, k.rows]));
    const staleAtStart = staleRows(before, activeKeyId);
    const summary = { runId, activeKeyId, dryRun, rowsByKey };
    hooks.onStart?.({ runId, activeKeyId, rowsByKey, left: staleAtStart });

    if (dryRun) {
      // Decrypting a batch proves the listed key material is right, not only the ids.
      await this.uow.run(async (tx) => {
        for (const row of await this.identifiers.lockIdentifiersNotUnder(tx, activeKeyId, undefined, batchSize)) this.reencrypt(row);
      });
      return { ...summary, reencrypted: 0, batches: 0, left: staleAtStart, stoppedBy: 'dry-run', seconds: seconds(), rowsPerSecond: 0, longestBatchMs: 0 };
    }

    const actor = rotationActor(runId);
    let after: string | undefined;
    let reencrypted = 0;
    let batches = 0;
    let longestBatchMs = 0;
    let stoppedBy: RotationSummary['stoppedBy'] = 'done';
    for (;;) {
      if (hooks.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (maxSeconds !== undefined && seconds() >= maxSeconds) {
        stoppedBy = 'max-seconds';
        break;
      }
      const batchStarted = performance.now();
      const batch = await this.uow.run((tx) => this.rotateBatch(tx, actor, after, batchSize));
      if (batch === undefined) {
        if (after === undefined) break;
        after = undefined;
        continue;
      }
      const batchMs = performance.now() - batchStarted;
      after = batch.lastId;
      reencrypted += batch.rows;
      batches += 1;
      longestBatchMs = Math.max(longestBatchMs, batchMs);
      const elapsed = seconds();
      hooks.onProgress?.({ reencrypted, left: Math.max(0, staleAtStart - reencrypted), rowsPerSecond: reencrypted / elapsed, seconds: elapsed, batchMs });
    }

    const left = staleRows(await this.uow.read((db) => this.identifiers.countIdentifiersByKey(db)), activeKeyId);
    const elapsed = seconds();
    return { ...summary, reencrypted, batches, left, stoppedBy, seconds: elapsed, rowsPerSecond: elapsed > 0 ? reencrypted / elapsed : 0, longestBatchMs };
  }

  private async rotateBatch(tx: Tx, actor: ServiceActor, after: string | undefined, batchSize: number): Promise<{ rows: number; lastId: string } | undefined> {
    const activeKeyId = this.crypto.activeKeyId;
    const rows = await this.identifiers.lockIdentifiersNotUnder(tx, activeKeyId, after, batchSize);
    const last = rows.at(-1);
    if (last === undefined) return undefined;
    const rewrapped: RewrappedIdentifier[] = [];
    const fromKeys: Record<string, number> = {};
    for (const row of rows) {
      const encrypted = this.reencrypt(row);
      if (encrypted === undefined) continue;
      rewrapped.push({ id: row.id, fromKeyId: row.encrypted.keyId, encrypted });
      fromKeys[row.encrypted.keyId] = (fromKeys[row.encrypted.keyId] ?? 0) + 1;
    }
    this.identifiers.rewrapIdentifiers(tx, rewrapped);
    // Counts and key ids only: never an identifier value, not even encrypted.
    this.audit.append(tx, actor, [
      { action: KEY_ROTATION_AUDIT_ACTION, patientId: null, outcome: 'success', detail: { rows: rewrapped.length, fromKeys, toKey: activeKeyId } },
    ]);
    return { rows: rewrapped.length, lastId: last.id };
  }

  /** The value under the active key; a failure names the row and its key id, never the value. */
  private reencrypt(row: KeyedIdentifier): EncryptedValue | undefined {
    try {
      return this.crypto.reencrypt(row.system, row.encrypted);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new IdentifierDecryptionError(`identifier ${row.id} (key ${row.encrypted.keyId}) cannot be re-encrypted: ${reason}`);
    }
  }
}
