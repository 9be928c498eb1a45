import { WORKSPACE_ROOT } from '@lienthong/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type Client as PgClient } from 'pg';
import { type RuleSet } from '../src/reuse/domain/catalogue';
import { type SeedFacility } from './bench-visits';

/**
 * Bulk loads of lab-results-service's tables for the bench, set-based (INSERT … SELECT, a handful of
 * statements, keys and indexes dropped during the load and rebuilt after), deterministic for a seed.
 */

// --------------------------------------------------------------------------------- consent-service
export interface ConsentLoadResult {
  readonly rows: Record<string, number>;
  readonly versions: Record<string, number>;
  readonly loadSeconds: number;
  readonly indexSeconds: number;
}

const CONSENT_LOADER = join(WORKSPACE_ROOT, 'apps/consent-service/bench/bench-load.ts');

/**
 * consent-service's own bench population (apps/consent-service/bench/bench-load.ts: facilities,
 * patients with a facility link each, 2.5 consents per patient with versions), loaded by that loader
 * run as a process of its own — a service's code is not imported by another service's, and the
 * loader stays the one consent-service keeps in step with its schema.
 */
export async function loadConsentPopulation(options: { url: string; consents: number; patients: number; seed: number; log: (msg: string) => void }): Promise<ConsentLoadResult> {
  const script = `
    const { loadConsentPopulation } = require(${JSON.stringify(CONSENT_LOADER)});
    loadConsentPopulation({ ...JSON.parse(process.argv[1]), log: (m) => process.stderr.write('[consent-load] ' + m + '\\n') })
      .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });`;
  const { url, consents, patients, seed } = options;
  const child = spawn(process.execPath, ['-r', join(WORKSPACE_ROOT, 'scripts/run-ts.cjs'), '-e', script, JSON.stringify({ url, consents, patients, seed })], {
    cwd: WORKSPACE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => {
    for (const line of c.toString('utf8').split('\n')) if (line.trim() !== '') options.log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`consent-service's bench loader exited ${String(code)}`);
  return JSON.parse(out) as ConsentLoadResult;
}

// ------------------------------------------------------------------------------- registry copy
export interface RegistryRows {
  readonly facilities: readonly SeedFacility[];
  readonly patients: readonly { readonly id: string; readonly facility: string; readonly localId: string }[];
}

/**
 * The registry copy lab-results-service keeps from identity's events (facilities with their lab
 * quality, patients, facility links), written directly: what its consumer would have stored.
 */
export async function loadLabRegistry(c: PgClient, rows: RegistryRows): Promise<void> {
  const f = rows.facilities;
  await c.query(
    `INSERT INTO facilities (code, level, province_code, lab_quality_level, iso15189_scope, sensitive, version)
     SELECT code, level, province, quality, ARRAY(SELECT jsonb_array_elements_text(scope)), sensitive, 1
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::boolean[]) AS f(code, level, province, quality, scope, sensitive)`,
    [
      f.map((x) => x.code),
      f.map((x) => x.level),
      f.map((x) => x.provinceCode),
      f.map((x) => x.labQualityLevel),
      f.map((x) => JSON.stringify(x.iso15189Scope)),
      f.map((x) => x.sensitive),
    ],
  );
  const p = rows.patients;
  await c.query(
    `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) SELECT DISTINCT id, NULL::uuid, now() FROM unnest($1::uuid[]) AS id`,
    [p.map((x) => x.id)],
  );
  await c.query(
    `INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])`,
    [p.map((x) => x.facility), p.map((x) => x.localId), p.map((x) => x.id)],
  );
  await c.query('ANALYZE facilities, patients, patient_links');
}

// ------------------------------------------------------------------------------------- results
export interface LabLoadOptions {
  /** lab-results-service's bench database (migrated, empty). */
  readonly url: string;
  /** consent-service's bench database, already loaded: its facilities, patients and links are the population. */
  readonly consentUrl: string;
  readonly results: number;
  readonly seed: number;
  readonly catalogue: RuleSet;
  readonly log?: (msg: string) => void;
}

export interface LabLoadResult {
  readonly rows: Record<string, number>;
  /** Of lab_results: latest status counts. */
  readonly statuses: Record<string, number>;
  readonly loadSeconds: number;
  readonly indexSeconds: number;
}

/** The tables the load writes (visits, submissions, checks, audit_log and the outbox start empty). */
const TABLES = ['facilities', 'patients', 'patient_links', 'lab_results', 'lab_result_versions'] as const;

interface SavedDdl {
  readonly keys: { table: string; name: string; def: string }[];
  readonly indexes: string[];
}

async function dropIndexes(client: PgClient): Promise<SavedDdl> {
  const keys = await client.query<{ name: string; table: string; def: string }>(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS table, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u')`,
    [TABLES],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))`,
    [TABLES],
  );
  for (const key of keys.rows) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT "${key.name}"`);
  for (const index of indexes.rows) await client.query(`DROP INDEX "${index.name}"`);
  return { keys: keys.rows, indexes: indexes.rows.map((i) => i.def) };
}

/** Rebuilds what dropIndexes removed, two statements at a time (two cores), then VACUUM ANALYZE. */
async function restoreIndexes(clients: readonly PgClient[], saved: SavedDdl): Promise<void> {
  const queue = [...saved.keys.map((k) => `ALTER TABLE ${k.table} ADD CONSTRAINT "${k.name}" ${k.def}`), ...saved.indexes];
  await Promise.all(
    clients.slice(0, 2).map(async (client) => {
      await client.query(`SET maintenance_work_mem = '512MB'`);
      for (let sql = queue.shift(); sql !== undefined; sql = queue.shift()) await client.query(sql);
    }),
  );
  const tables: string[] = [...TABLES];
  await Promise.all(
    clients.slice(0, 2).map(async (client) => {
      for (let table = tables.shift(); table !== undefined; table = tables.shift()) await client.query(`VACUUM ANALYZE ${table}`);
    }),
  );
}

/** Plausible values per catalogue code: low, high, decimals, and the unit spellings hospitals write. */
const QUANTITY: Record<string, { low: number; high: number; decimals: number; units: string[] }> = {
  WBC: { low: 3.5, high: 14, decimals: 1, units: ['G/L', '10^9/L'] },
  HGB: { low: 95, high: 165, decimals: 0, units: ['g/L', 'g/l'] },
  PLT: { low: 120, high: 420, decimals: 0, units: ['G/L', '10^9/L'] },
  GLU: { low: 3.9, high: 12.5, decimals: 1, units: ['mmol/L', 'mmol/l'] },
  HBA1C: { low: 4.8, high: 10.5, decimals: 1, units: ['%'] },
  CREA: { low: 55, high: 160, decimals: 0, units: ['µmol/L', 'umol/l'] },
  UREA: { low: 2.5, high: 11, decimals: 1, units: ['mmol/L', 'mmol/l'] },
  ALT: { low: 10, high: 95, decimals: 0, units: ['U/L', 'U/l'] },
  AST: { low: 12, high: 80, decimals: 0, units: ['U/L', 'U/l'] },
  CHOL: { low: 3.2, high: 7.4, decimals: 2, units: ['mmol/L', 'mmol/l'] },
  TG: { low: 0.7, high: 4.8, decimals: 2, units: ['mmol/L', 'mmol/l'] },
  HDL: { low: 0.8, high: 2.1, decimals: 2, units: ['mmol/L', 'mmol/l'] },
  LDL: { low: 1.6, high: 4.9, decimals: 2, units: ['mmol/L', 'mmol/l'] },
  NA: { low: 131, high: 148, decimals: 0, units: ['mmol/L', 'mmol/l'] },
  K: { low: 3.1, high: 5.4, decimals: 1, units: ['mmol/L', 'mmol/l'] },
  CL: { low: 95, high: 110, decimals: 0, units: ['mmol/L', 'mmol/l'] },
  TSH: { low: 0.3, high: 6.5, decimals: 2, units: ['mIU/L', 'µIU/mL'] },
  FT4: { low: 9, high: 24, decimals: 1, units: ['pmol/L', 'pmol/l'] },
  CRP: { low: 0.5, high: 60, decimals: 1, units: ['mg/L', 'mg/l'] },
  BILT: { low: 5, high: 40, decimals: 1, units: ['µmol/L', 'umol/l'] },
  TROPT: { low: 3, high: 60, decimals: 1, units: ['ng/L', 'ng/l'] },
};

/** How often each test is among a patient's results (a CBC and a glucose most often; HIV and blood cultures rarely). */
function weightOf(code: string, discipline: string): number {
  if (['WBC', 'HGB', 'PLT', 'GLU'].includes(code)) return 90;
  if (['CREA', 'ALT', 'AST', 'UREA'].includes(code)) return 60;
  if (['CHOL', 'TG', 'HDL', 'LDL', 'NA', 'K', 'CL', 'HBA1C'].includes(code)) return 30;
  if (discipline === 'imaging') return 25;
  if (code === 'HIV') return 4;
  if (discipline === 'microbiology') return 6;
  return 15;
}

/**
 * Loads `results` results of consent-service's bench population (read from its database: ~200
 * facilities in 20 provinces, every patient linked to one) into lab-results-service's database: the
 * registry copy (those facilities with a lab quality level — specialised 3–5, half of them with an ISO
 * 15189 scope; basic 1–2; initial mostly unrated — the patients and their links) and the results as
 * the XML path stores them: `lab_results` (latest version, the canonical result in `result`) and
 * `lab_result_versions` (every version). ~5 results per patient in one or two visits each, half at
 * the patient's own facility and half elsewhere in the province, performed over the last six months
 * (30 % in the last 3 days, 30 % within a month); 96 % final, 3 % amended (two versions), 1 %
 * cancelled. Deterministic for a seed.
 */
export async function loadLabResults(options: LabLoadOptions): Promise<LabLoadResult> {
  const { results: N, seed } = options;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(N) || N < 1) throw new Error(`bad load size: ${N} results (seed ${seed})`);
  const log = options.log ?? (() => undefined);
  const population = await withClient(options.consentUrl, async (c) => ({
    facilities: (await c.query<{ code: string; level: string; province_code: string; sensitive: boolean }>('SELECT code, level, province_code, sensitive FROM facilities ORDER BY code')).rows,
    links: (
      await c.query<{ facility_code: string; local_id: string; enterprise_patient_id: string }>(
        `SELECT facility_code, local_id, enterprise_patient_id FROM patient_links WHERE local_id LIKE 'BN%' ORDER BY local_id`,
      )
    ).rows,
  }));
  const P = population.links.length;
  if (P === 0) throw new Error('the consent database holds no bench patients');
  const tests = options.catalogue.tests.map((t) => {
    const q = QUANTITY[t.code];
    return {
      code: t.code,
      indicator: t.mohIndicatorCodes[0] ?? null,
      service: t.serviceCodes[0] ?? '',
      name: t.nameVi,
      loinc: t.loinc,
      discipline: t.discipline,
      category: t.consentCategory,
      price: t.priceVnd,
      ucum: t.ucum,
      weight: weightOf(t.code, t.discipline),
      low: q?.low ?? null,
      high: q?.high ?? null,
      decimals: q?.decimals ?? null,
      units: q?.units ?? null,
      positive_share: t.discipline === 'microbiology' ? 150 : t.code === 'HIV' ? 20 : 80,
    };
  });

  const clients = await Promise.all(
    [0, 1].map(async () => {
      const client = new Client({ connectionString: options.url });
      await client.connect();
      await client.query(`SET synchronous_commit = off; SET work_mem = '256MB'; SET statement_timeout = 0`);
      return client;
    }),
  );
  const [c] = clients;
  if (!c) throw new Error('no connection');
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const t0 = performance.now();
    const result = await c.query(sql, params);
    log(`  ${label}: ${result.rowCount ?? 0} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  try {
    const saved = await dropIndexes(c);
    const started = performance.now();
    await c.query(`CREATE FUNCTION pg_temp.h(i bigint, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT hashint8extended(i, ${seed}::bigint * 64 + salt) & 9223372036854775807 $$`);
    // RFC 9562 version-4 shaped ids (the contract's schemas accept real uuid versions only).
    await c.query(`CREATE FUNCTION pg_temp.u(tag text, i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT overlay(overlay(md5(tag || ':${seed}:' || i) placing '4' from 13) placing '8' from 17)::uuid $$`);

    const f = population.facilities;
    await step(
      'facilities',
      `INSERT INTO facilities (code, level, province_code, lab_quality_level, iso15189_scope, sensitive, version)
       SELECT code, level, province, q.quality,
              CASE WHEN level = 'specialised' AND pg_temp.h(n, 2) % 2 = 0 THEN '{GLU,HBA1C,CREA,UREA,ALT,AST,WBC,HGB,PLT,TSH,CRP}'::text[]
                   WHEN level = 'basic' AND pg_temp.h(n, 2) % 3 = 0 THEN '{GLU,CREA}'::text[]
                   ELSE '{}'::text[] END,
              sensitive, 1
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY AS f(code, level, province, sensitive, n),
         LATERAL (SELECT CASE level WHEN 'specialised' THEN (3 + pg_temp.h(n, 1) % 3)::text
                                    WHEN 'basic' THEN (1 + pg_temp.h(n, 1) % 2)::text
                                    ELSE CASE WHEN pg_temp.h(n, 1) % 10 < 7 THEN 'unrated' ELSE '1' END END AS quality) q`,
      [f.map((x) => x.code), f.map((x) => x.level), f.map((x) => x.province_code), f.map((x) => x.sensitive)],
    );
    const l = population.links;
    await step(
      'patients (temp)',
      `CREATE TEMP TABLE bp AS
       SELECT (n - 1)::bigint AS p, id, facility, local_id, fac.province_code AS province
         FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS x(id, facility, local_id, n)
         JOIN facilities fac ON fac.code = x.facility`,
      [l.map((x) => x.enterprise_patient_id), l.map((x) => x.facility_code), l.map((x) => x.local_id)],
    );
    await step('patients', `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) SELECT id, NULL, now() - interval '400 days' FROM bp`);
    await step('patient_links', `INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) SELECT facility, local_id, id FROM bp`);
    // Non-sensitive facilities by province, to pick where a result was performed.
    await c.query(`CREATE TEMP TABLE bf AS
      SELECT province_code AS province, (row_number() OVER (PARTITION BY province_code ORDER BY code) - 1)::int AS k, code,
             count(*) OVER (PARTITION BY province_code)::int AS n
        FROM facilities WHERE NOT sensitive`);
    await c.query(`CREATE TEMP TABLE bt AS
      SELECT (row_number() OVER (ORDER BY t.code) - 1)::int AS ti, t.* FROM jsonb_to_recordset($1::jsonb) AS t(
        code text, indicator text, service text, name text, loinc text, discipline text, category text, price int, ucum text,
        weight int, low float8, high float8, decimals int, units text[], positive_share int)`, [JSON.stringify(tests)]);
    // A test drawn by weight: index the expanded list (one entry per unit of weight).
    await c.query(`CREATE TEMP TABLE bw AS SELECT (row_number() OVER (ORDER BY ti, g) - 1)::int AS w, ti FROM bt, generate_series(1, bt.weight) AS g`);
    const W = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM bw')).rows[0]?.n ?? 0);

    // Candidates (15 % spare: a test drawn twice in one visit is one line), first N distinct lines kept.
    const candidates = Math.ceil(N * 1.15);
    await step(
      'results (temp)',
      `CREATE TEMP TABLE br AS
       WITH draws AS (
         SELECT j, bp.p, bp.id, bp.facility AS own, bp.province, (j / ${P})::int AS slot,
                ((j / ${P}) / 3)::int AS visit
           FROM generate_series(0, ${candidates - 1}::bigint) AS j JOIN bp ON bp.p = j % ${P}
       ),
       placed AS (
         SELECT d.*, pg_temp.h(d.p * 16 + d.visit, 20) AS hv, pg_temp.h(d.j, 21) AS hr, pg_temp.h(d.j, 22) AS hs
           FROM draws d
       ),
       lined AS (
         SELECT pl.*,
                CASE WHEN pl.hv % 2 = 0 THEN pl.own ELSE bf.code END AS facility,
                -- When the visit was: 30 % within 3 days, 30 % within a month, the rest within six months.
                -- (visits end at least 4 hours ago: every result is in the past).
                now() - interval '4 hours' - CASE WHEN pl.hv % 10 < 3 THEN make_interval(secs => (pl.hv / 16 % 259200)::float8)
                             WHEN pl.hv % 10 < 6 THEN make_interval(secs => (259200 + pl.hv / 16 % 2332800)::float8)
                             ELSE make_interval(secs => (2592000 + pl.hv / 16 % 12960000)::float8) END AS visit_at,
                bt.*
           FROM placed pl
           JOIN bf ON bf.province = pl.province AND bf.k = (pl.hv / 7 % bf.n)
           JOIN bw ON bw.w = pl.hr % ${W}
           JOIN bt ON bt.ti = bw.ti
       )
       SELECT DISTINCT ON (facility, ma_lk, line_key) *
         FROM (SELECT lined.*,
                      facility || '.' || to_char(visit_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '.' || lpad((p * 4 + visit)::text, 9, '0') AS ma_lk,
                      service || '/' || coalesce(indicator, '#' || (ti + 1)) AS line_key
                 FROM lined) x
        ORDER BY facility, ma_lk, line_key, j`,
    );
    await step(
      'results (temp, first N lines with values)',
      `CREATE TEMP TABLE bv AS
       SELECT r.*, pg_temp.u('r', r.j) AS result_id,
              r.visit_at + make_interval(mins => (20 + r.hs % 40)::int) AS performed_at,
              r.visit_at + make_interval(mins => (80 + r.hs % 120)::int) AS result_at,
              CASE WHEN r.hs % 100 < 96 THEN 'final' WHEN r.hs % 100 < 99 THEN 'amended' ELSE 'cancelled' END AS status,
              CASE WHEN r.low IS NOT NULL
                     THEN jsonb_build_object('kind', 'quantity', 'value', round((r.low + (r.hs / 100 % 1000) / 1000.0 * (r.high - r.low))::numeric, r.decimals), 'comparator', NULL)
                   WHEN r.discipline = 'imaging'
                     THEN jsonb_build_object('kind', 'text', 'text', CASE WHEN r.hs / 100 % 10 < 8 THEN 'Bình thường' ELSE 'Theo dõi tổn thương nhỏ, đề nghị tái khám' END)
                   WHEN r.hs / 100 % 1000 < r.positive_share
                     THEN jsonb_build_object('kind', 'coded', 'code', 'positive', 'text', 'Dương tính')
                   ELSE jsonb_build_object('kind', 'coded', 'code', 'negative', 'text', 'Âm tính') END AS value,
              CASE WHEN r.units IS NOT NULL THEN r.units[1 + (r.hs / 100000 % array_length(r.units, 1))::int] END AS unit_original,
              '0010750' || lpad((r.hv % 9000 + 1000)::text, 5, '0') AS signer
         FROM (SELECT * FROM br ORDER BY j LIMIT ${N}) r`,
    );
    const canonical = (version: string, status: string, value: string) => `jsonb_build_object(
        'resultId', result_id, 'version', ${version}, 'enterprisePatientId', id, 'performingFacility', facility,
        'source', jsonb_build_object('format', 'xml130', 'visitKey', ma_lk, 'lineKey', line_key),
        'test', jsonb_build_object('catalogueCode', code, 'mohIndicatorCode', indicator, 'serviceCode', service, 'name', name,
                                   'loinc', loinc, 'discipline', discipline, 'consentCategory', category),
        'value', ${value}, 'unit', jsonb_build_object('original', unit_original, 'ucum', CASE WHEN unit_original IS NOT NULL THEN ucum END),
        'referenceRange', NULL, 'abnormalFlag', NULL,
        'performedAt', to_char(performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'performedAtSource', 'xml3.NGAY_TH_YL',
        'collectedAt', NULL, 'resultAt', to_char(result_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'status', ${status}, 'signer', signer, 'priceVnd', price,
        'missingFields', '["collectedAt","referenceRange","abnormalFlag","performingLab"]'::jsonb)`;
    // An amendment corrected the value (a quantity by 5 %); a cancellation withdrew the line as it was.
    const amendedValue = `CASE WHEN value->>'kind' = 'quantity' THEN jsonb_set(value, '{value}', to_jsonb(round((value->>'value')::numeric * 1.05, coalesce(decimals, 0)))) ELSE value END`;
    const latestValue = `CASE WHEN status = 'amended' THEN ${amendedValue} ELSE value END`;
    const hash = (json: string) => `encode(sha256(convert_to((${json})::text, 'UTF8')), 'hex')`;
    await step(
      'lab_results',
      `INSERT INTO lab_results (result_id, facility_code, ma_lk, line_key, enterprise_patient_id, catalogue_code, version, status,
         collected_at, performed_at, result_at, qualitative, content_hash, result, updated_at)
       SELECT result_id, facility, ma_lk, line_key, id, code, CASE WHEN status = 'final' THEN 1 ELSE 2 END, status,
              NULL, performed_at, result_at, CASE WHEN value->>'kind' = 'coded' THEN value->>'code' END,
              ${hash(canonical("CASE WHEN status = 'final' THEN 1 ELSE 2 END", 'status', latestValue))},
              ${canonical("CASE WHEN status = 'final' THEN 1 ELSE 2 END", 'status', latestValue)},
              result_at + CASE WHEN status = 'final' THEN interval '0' ELSE interval '1 day' END
         FROM bv`,
    );
    await step(
      'lab_result_versions',
      `INSERT INTO lab_result_versions (result_id, version, status, content_hash, result, submission_id, recorded_at)
       SELECT result_id, 1, 'final', ${hash(canonical('1', "'final'", 'value'))}, ${canonical('1', "'final'", 'value')}, NULL::uuid, result_at FROM bv
       UNION ALL
       SELECT result_id, 2, status, ${hash(canonical('2', 'status', latestValue))}, ${canonical('2', 'status', latestValue)}, NULL, result_at + interval '1 day'
         FROM bv WHERE status <> 'final'`,
    );
    const loadSeconds = (performance.now() - started) / 1000;
    const indexStarted = performance.now();
    await c.query('DROP TABLE bv, br, bw, bt, bf, bp');
    await restoreIndexes(clients, saved);
    const indexSeconds = (performance.now() - indexStarted) / 1000;

    const rows: Record<string, number> = {};
    for (const table of TABLES) rows[table] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const statuses: Record<string, number> = {};
    for (const row of (await c.query<{ k: string; n: string }>('SELECT status AS k, count(*) AS n FROM lab_results GROUP BY 1 ORDER BY 1')).rows) statuses[row.k] = Number(row.n);
    return { rows, statuses, loadSeconds, indexSeconds };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function withClient<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
