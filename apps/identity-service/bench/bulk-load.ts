import { PopulationGenerator } from '@lienthong/synthetic';
import { dropKeysAndIndexes, restoreKeysAndIndexes } from '@lienthong/testing';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { type IdentifierCrypto } from '../src/crypto/identifier-crypto';
import { matchableFrom, type PatientMatcher } from '../src/patients/domain/patient-matcher';
import { birthPrecision, parseRegistration } from '../src/patients/domain/registration-input';
import { BENCH_FACILITIES, registrationBody, samplePerson, type SamplePerson } from './bench-population';
import { copyBytea, copyField, copyIn, copyLine } from './copy-in';

/** The tables a registration writes patient state to (audit_log and outbox are not pre-loaded). */
const TABLES = ['patients', 'patient_identifiers', 'facility_links', 'patient_blocking_keys'] as const;

const COPY_SQL = {
  patients: `COPY patients (id, status, merged_into, full_name, name_folded, name_token_key, birth_year, birth_month, birth_day,
    birth_precision, sex, province_code, commune_code, address_line, phone, created_at, updated_at, version) FROM STDIN`,
  patient_identifiers: `COPY patient_identifiers (id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility,
    flags, created_at, updated_at) FROM STDIN`,
  facility_links: `COPY facility_links (id, facility_code, local_id, patient_id, original_patient_id, created_at, updated_at) FROM STDIN`,
  patient_blocking_keys: `COPY patient_blocking_keys (blocking_key, patient_id) FROM STDIN`,
} as const;

export interface LoadOptions {
  readonly url: string;
  readonly patients: number;
  readonly seed: number;
  readonly crypto: IdentifierCrypto;
  readonly matcher: PatientMatcher;
  /** How many loaded people to keep for re-registration and lookups. */
  readonly sampleSize: number;
  readonly batchSize?: number;
  readonly progress?: (loaded: number) => void;
}

export interface LoadResult {
  readonly generator: PopulationGenerator;
  readonly sample: SamplePerson[];
  readonly rows: Record<(typeof TABLES)[number], number>;
  readonly loadSeconds: number;
  readonly indexSeconds: number;
}

/**
 * Generates `patients` synthetic people and writes exactly the rows the registration use case writes
 * for a new patient at one facility: the patient, its encrypted identifiers with blind indexes (same
 * IdentifierCrypto and keys as the service), its facility link and its hashed blocking keys (same
 * PatientMatcher). Demographics go through the service's own parseRegistration. Loaded with
 * `COPY … FROM STDIN`, one connection per table, generating the next batch while Postgres ingests.
 */
export async function bulkLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await Promise.all(
    TABLES.map(async () => {
      const client = new Client({ connectionString: options.url });
      await client.connect();
      await client.query('SET synchronous_commit = off');
      return client;
    }),
  );
  const [admin] = clients;
  if (!admin) throw new Error('no connection');
  try {
    const saved = await dropKeysAndIndexes(admin, TABLES);
    const generator = new PopulationGenerator({ seed: options.seed });
    const sample: SamplePerson[] = [];
    const sampleEvery = Math.max(1, Math.floor(options.patients / options.sampleSize));
    const rows = { patients: 0, patient_identifiers: 0, facility_links: 0, patient_blocking_keys: 0 };
    const batchSize = options.batchSize ?? 10_000;
    const { crypto, matcher } = options;
    const now = new Date().toISOString();
    let inFlight: Promise<unknown> = Promise.resolve();
    const started = performance.now();

    for (let done = 0; done < options.patients; ) {
      const n = Math.min(batchSize, options.patients - done);
      const lines: Record<(typeof TABLES)[number], string[]> = { patients: [], patient_identifiers: [], facility_links: [], patient_blocking_keys: [] };
      for (let i = 0; i < n; i += 1) {
        const seq = done + i;
        const facility = BENCH_FACILITIES[seq % BENCH_FACILITIES.length] ?? '01901';
        const person = samplePerson(generator.person(), facility);
        if (seq % sampleEvery === 0 && sample.length < options.sampleSize) sample.push(person);
        const registration = parseRegistration(registrationBody(person, `BN${String(seq).padStart(9, '0')}`));
        const d = registration.demographics;
        const patientId = uuidv7();
        lines.patients.push(
          copyLine([
            patientId, 'active', '\\N', copyField(d.fullName), copyField(d.nameFolded), copyField(d.nameTokenKey),
            copyField(d.birthDate?.year), copyField(d.birthDate?.month), copyField(d.birthDate?.day), copyField(birthPrecision(d.birthDate)),
            String(d.sex), copyField(d.provinceCode), copyField(d.communeCode), copyField(d.addressLine), copyField(d.phone), now, now, '1',
          ]),
        );
        const bhytIndexes: Buffer[] = [];
        for (const id of registration.identifiers) {
          const blindIndex = crypto.blindIndex(id.system, id.indexValue);
          if (id.system === 'bhyt') bhytIndexes.push(blindIndex);
          const encrypted = crypto.encrypt(id.system, id.value);
          lines.patient_identifiers.push(
            copyLine([
              uuidv7(), patientId, id.system, copyBytea(encrypted.ciphertext), encrypted.keyId, copyBytea(blindIndex), id.status, facility,
              copyField(JSON.stringify(id.flags)), now, now,
            ]),
          );
        }
        lines.facility_links.push(copyLine([uuidv7(), facility, copyField(registration.localId), patientId, patientId, now, now]));
        const keys = new Set(matcher.indexKeys(matchableFrom(d, bhytIndexes)).map((k) => crypto.blindIndex('blocking', k).subarray(0, 16).toString('hex')));
        for (const key of keys) lines.patient_blocking_keys.push(`\\\\x${key}\t${patientId}\n`);
      }
      for (const table of TABLES) rows[table] += lines[table].length;
      await inFlight;
      inFlight = Promise.all(TABLES.map((table, t) => copyIn(clients[t] as Client, COPY_SQL[table], lines[table])));
      done += n;
      options.progress?.(done);
    }
    await inFlight;
    const loadSeconds = (performance.now() - started) / 1000;
    const indexStarted = performance.now();
    await restoreKeysAndIndexes(clients, saved);
    for (const table of TABLES) await admin.query(`ANALYZE ${table}`);
    return { generator, sample, rows, loadSeconds, indexSeconds: (performance.now() - indexStarted) / 1000 };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
