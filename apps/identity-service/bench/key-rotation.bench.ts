/**
 * Identifier key rotation benchmark:
 *   npm run bench -- key-rotation [--rows 1000000] [--batch 1000] [--keep]
 *
 * 1. Its own database (lt_keyrot_bench, recreated; never the identity bench's) with the service's
 *    migrations and `--rows` identifier rows (a CCCD and a BHYT number per patient), encrypted under
 *    the development key `dev1` exactly as registration encrypts them, loaded with COPY, then
 *    VACUUM ANALYZE and CHECKPOINT so the run pays for neither the load's hint bits nor its dirty pages.
 * 2. The built job (dist/apps/identity-service/rotate-keys.js, as an operator runs it) with `dev1`
 *    and a new key `bench2` listed, `bench2` active; its JSON lines are read back.
 * 3. Every row is then under `bench2`, and a sample decrypts to the value that was written.
 *
 * `--keep` leaves the database (dropped by default: it is ~0.5 GB per million rows).
 */
import 'reflect-metadata';
import { benchDatabase, benchFlag, benchNumber, fmt, runBench, WORKSPACE_ROOT } from '@lienthong/testing';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { loadIdentityKeys } from '../src/config/identity-keys.config';
import { IdentifierCrypto } from '../src/crypto/identifier-crypto';
import { identityPersistence } from '../src/persistence/data-source';
import { applyMigrations } from '@lienthong/persistence';
import { copyBytea, copyIn, copyLine } from './copy-in';

const num = (name: string, fallback: number) => Math.floor(benchNumber(name, fallback));
const ROWS = num('rows', 1_000_000);
const BATCH = num('batch', 1_000);
const KEEP = benchFlag('keep');
const DB = benchDatabase('lt_keyrot_bench');
const JOB = join(WORKSPACE_ROOT, 'dist/apps/identity-service/rotate-keys.js');
// The development defaults (identity-keys.config.ts) plus a second, equally fake key to rotate to.
const DEV1 = 'ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=';
const BENCH2 = Buffer.alloc(32, 0x42).toString('base64');
const KEYS = `dev1:${DEV1},bench2:${BENCH2}`;
const SAMPLE_EVERY = 997;

const log = (msg: string) => process.stderr.write(`[key-rotation-bench] ${msg}\n`);

/** Loads ROWS identifiers under dev1 (two per patient); returns a sample of id → (system, value). */
async function load(url: string): Promise<Map<string, { system: string; value: string }>> {
  const crypto = new IdentifierCrypto(loadIdentityKeys({ IDENTITY_ENCRYPTION_KEYS: KEYS, IDENTITY_ENCRYPTION_ACTIVE_KEY: 'dev1' }));
  const sample = new Map<string, { system: string; value: string }>();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const now = new Date().toISOString();
    const people = Math.ceil(ROWS / 2);
    for (let done = 0; done < people; done += 20_000) {
      const patients: string[] = [];
      const identifiers: string[] = [];
      for (let n = done; n < Math.min(people, done + 20_000); n += 1) {
        const patientId = uuidv7();
        patients.push(copyLine([patientId, 'active', '\\N', 'Nguyễn Văn Bench', 'nguyen van bench', 'bench nguyen van', '1', now, now, '1']));
        const values: [string, string][] = [['cccd', `0790${String(n).padStart(8, '0')}`], ['bhyt', `DN479${String(n).padStart(10, '0')}`]];
        for (const [j, [system, value]] of values.slice(0, Math.min(2, ROWS - 2 * n)).entries()) {
          const id = uuidv7();
          const encrypted = crypto.encrypt(system, value);
          if ((2 * n + j) % SAMPLE_EVERY === 0) sample.set(id, { system, value });
          identifiers.push(
            copyLine([id, patientId, system, copyBytea(encrypted.ciphertext), encrypted.keyId, copyBytea(crypto.blindIndex(system, value)), 'active', '79001', '[]', now, now]),
          );
        }
      }
      await copyIn(client, `COPY patients (id, status, merged_into, full_name, name_folded, name_token_key, sex, created_at, updated_at, version) FROM STDIN`, patients);
      await copyIn(
        client,
        `COPY patient_identifiers (id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility, flags, created_at, updated_at) FROM STDIN`,
        identifiers,
      );
    }
    await client.query('VACUUM ANALYZE patients');
    await client.query('VACUUM ANALYZE patient_identifiers');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
  return sample;
}

/** Runs the built job; returns its parsed JSON lines and the wall time. */
function runJob(url: string): Promise<{ lines: Record<string, unknown>[]; seconds: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [JOB, '--batch', String(BATCH)], {
      env: { PATH: process.env['PATH'], NODE_ENV: 'development', DATABASE_URL: url, IDENTITY_ENCRYPTION_KEYS: KEYS, IDENTITY_ENCRYPTION_ACTIVE_KEY: 'bench2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, seconds: (performance.now() - started) / 1000, code });
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(JOB)) throw new Error(`${JOB} is missing: run \`npx nx build identity-service\` first`);
  const url = DB.url;
  await DB.recreate();
  try {
    await applyMigrations(identityPersistence({ url: url, poolSize: 1 }));

    const loadStarted = performance.now();
    const sample = await load(url);
    log(`loaded ${fmt(ROWS)} identifier rows under dev1 in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

    const loadBefore = os.loadavg()[0] ?? 0;
    const run = await runJob(url);
    const loadAfter = os.loadavg()[0] ?? 0;
    const summary = run.lines.find((l) => l['msg'] === 'key rotation finished');
    if (run.code !== 0 || !summary) throw new Error(`rotate-keys.js exited ${String(run.code)}`);

    const check = new Client({ connectionString: url });
    await check.connect();
    try {
      const byKey = (await check.query<{ key_id: string; n: string }>(`SELECT key_id, count(*) AS n FROM patient_identifiers GROUP BY key_id`)).rows;
      if (byKey.length !== 1 || byKey[0]?.key_id !== 'bench2' || Number(byKey[0].n) !== ROWS) throw new Error(`rows not all under bench2: ${JSON.stringify(byKey)}`);
      const crypto = new IdentifierCrypto(loadIdentityKeys({ IDENTITY_ENCRYPTION_KEYS: `bench2:${BENCH2}`, IDENTITY_ENCRYPTION_ACTIVE_KEY: 'bench2' }));
      const rows = (await check.query<{ id: string; value_ciphertext: Buffer; key_id: string }>(`SELECT id, value_ciphertext, key_id FROM patient_identifiers WHERE id = ANY($1::uuid[])`, [[...sample.keys()]])).rows;
      for (const r of rows) {
        const expected = sample.get(r.id);
        if (!expected || crypto.decrypt(expected.system, { ciphertext: r.value_ciphertext, keyId: r.key_id }) !== expected.value) throw new Error(`row ${r.id} does not decrypt to its value`);
      }
      log(`verified: ${fmt(ROWS)} rows under bench2; ${fmt(rows.length)} sampled rows decrypt to the values written`);
    } finally {
      await check.end();
    }

    const result = {
      rows: ROWS,
      batch: BATCH,
      wallSeconds: Number(run.seconds.toFixed(1)),
      jobSeconds: summary['seconds'],
      rowsPerSecond: summary['rowsPerSecond'],
      batches: summary['batches'],
      longestBatchMs: summary['longestBatchMs'],
      loadAverage: { start: Number(loadBefore.toFixed(1)), end: Number(loadAfter.toFixed(1)) },
      machine: `${os.cpus().length} vCPU, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (!KEEP) await DB.drop();
  }
}

runBench(main);
