/**
 * Re-encrypts identifier values written under an old key with the active one, then exits:
 *   node dist/apps/identity-service/rotate-keys.js [--batch 1000] [--max-seconds N] [--dry-run]
 *
 * Same environment as main.js (IDENTITY_ENCRYPTION_KEYS listing the old and the new key,
 * IDENTITY_ENCRYPTION_ACTIVE_KEY naming the new one). Safe to stop anywhere and run again, and to run
 * beside the service or a second runner. Prints JSON lines: a start line, progress at most once a
 * second, a summary. Exit status: 0 nothing left under an old key (or a dry run that passed);
 * 3 stopped with rows left (--max-seconds, SIGINT/SIGTERM, or rows another transaction held) — run
 * again; 1 refused or failed (an unknown key id, a value that does not decrypt, bad arguments).
 */
import 'reflect-metadata';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { IdentityConfigError } from './config/identity-keys.config';
import { identityConfig } from './config/identity.config';
import { identifierCryptoFrom, IdentifierDecryptionError } from './crypto/identifier-crypto';
import { AuditTrailRepository } from './patients/adapters/persistence/audit-trail.repository';
import { PatientRepository } from './patients/adapters/persistence/patient.repository';
import {
  RotateIdentifierKeysUseCase,
  RotationOptions,
  UnknownEncryptionKeyError,
} from './patients/use-cases/rotate-identifier-keys/rotate-identifier-keys.use-case';
import { identityDataSourceOptions } from './persistence/data-source';

const EXIT_ROWS_LEFT = 3;
const PROGRESS_EVERY_MS = 1_000;
const FLAGS: Record<string, string> = { batchSize: '--batch', maxSeconds: '--max-seconds', dryRun: '--dry-run' };

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function options(): ReturnType<typeof RotationOptions.parse> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { batch: { type: 'string' }, 'max-seconds': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; usage: rotate-keys.js [--batch 1000] [--max-seconds N] [--dry-run]`);
  }
  const parsed = RotationOptions.safeParse({ batchSize: values.batch, maxSeconds: values['max-seconds'], dryRun: values['dry-run'] });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${FLAGS[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '));
  return parsed.data;
}

async function rotate(): Promise<number> {
  const rotation = options();
  const config = identityConfig.load();
  const crypto = identifierCryptoFrom(config);
  const line = (msg: string, fields: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ level: 'info', service: config.service.name, msg, ...fields })}\n`);

  // One batch at a time, plus the counts: two connections are plenty and take little from the service's pool budget.
  const dataSource = new DataSource(identityDataSourceOptions({ ...config.db, poolSize: 2 }));
  await dataSource.initialize();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const useCase = new RotateIdentifierKeysUseCase(new TypeormUnitOfWork(dataSource), new PatientRepository(), new AuditTrailRepository(), crypto);
    let lastPrinted = 0;
    const summary = await useCase.execute(rotation, {
      signal: stop.signal,
      onStart: (plan) => line('key rotation started', { ...plan, batchSize: rotation.batchSize, dryRun: rotation.dryRun }),
      onProgress: (p) => {
        if (performance.now() - lastPrinted < PROGRESS_EVERY_MS) return;
        lastPrinted = performance.now();
        line('key rotation progress', { reencrypted: p.reencrypted, left: p.left, rowsPerSecond: Math.round(p.rowsPerSecond), seconds: round(p.seconds) });
      },
    });
    line('key rotation finished', {
      ...summary,
      seconds: round(summary.seconds),
      rowsPerSecond: Math.round(summary.rowsPerSecond),
      longestBatchMs: round(summary.longestBatchMs),
    });
    return summary.left === 0 || summary.dryRun ? 0 : EXIT_ROWS_LEFT;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await dataSource.destroy();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

rotate().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Refusals the operator can act on get their message alone (they name key ids and row ids, never values).
    const refusal =
      error instanceof UnknownEncryptionKeyError || error instanceof IdentifierDecryptionError || error instanceof IdentityConfigError || error instanceof UsageError;
    if (!refusal) exitOnBootFailure(error);
    process.stderr.write(`${JSON.stringify({ level: 'error', service: 'identity-service', msg: 'key rotation refused', error: error.name, detail: error.message })}\n`);
    process.exit(1);
  },
);
