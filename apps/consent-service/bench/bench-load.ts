import { dropKeysAndIndexes, restoreKeysAndIndexes } from '@lienthong/testing';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';

/**
 * Bulk load for the consent benchmark: the rows consent-service keeps for a demo-like population,
 * generated inside Postgres with set-based SQL (INSERT … SELECT FROM generate_series), a handful of
 * statements, keys and indexes dropped during the load and rebuilt after.
 *
 * Deterministic for a seed: every id and every choice is a hash of (seed, row number, salt), so a
 * reload of the same size and seed is the same population.
 *
 * The population (consent j belongs to patient j mod P, slot ⌊j / P⌋; P = consents / 2.5, so every
 * patient has slots 0 and 1 and half of them slot 2):
 * - ~200 facilities in 20 provinces (one specialised, three basic and six initial-level per province;
 *   an HIV clinic and a mental hospital marked sensitive); each patient registered at one facility;
 * - slot 0, treatment (half also referral) of lab/imaging/encounters (+ prescriptions, documents) to
 *   the care relationship, any facility or the province; 8 % refuse;
 * - slot 1, referral of lab/imaging/encounters/documents to facility levels, two listed facilities or
 *   the care relationship; 5 % refuse;
 * - slot 2, public-health reporting, research on de-identified data (30 % refuse), a sensitive
 *   category (HIV, mental health, sexual and reproductive health, genetics) named for the patient's
 *   facility, or imaging to specialised hospitals for a period;
 * - 10 % of grants withdrawn later (version 2); ~15 % of grants with validUntil (about half already
 *   ended, their expiry already published); 5 % of patients minors with a parent or guardian
 *   recording (some aged 7 or more without their own consent);
 * - evidence on every version: in person, signed paper (scan SHA-256), VNeID or SMS code.
 */

/** Province codes of the loaded facilities (20 × FACILITIES_PER_PROVINCE facilities). */
const PROVINCES = ['01', '79', '48', '31', '92', '22', '26', '27', '30', '33', '36', '38', '40', '42', '44', '46', '51', '52', '56', '58'] as const;
const FACILITIES_PER_PROVINCE = 10;
const REPRESENTATIVE_NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Vũ Thị Giang'];

/** Tables the load writes (audit_log, emergency_accesses, patient_merges and the outbox start empty). */
const TABLES = ['facilities', 'patients', 'patient_links', 'consents', 'consent_versions', 'consent_expiries'] as const;
type Table = (typeof TABLES)[number];

export interface LoadOptions {
  readonly url: string;
  readonly consents: number;
  readonly patients: number;
  readonly seed: number;
  readonly log?: (msg: string) => void;
}

export interface LoadResult {
  readonly rows: Record<Table, number>;
  /** Of consent_versions: status counts and how many are version 2 (withdrawals). */
  readonly versions: Record<string, number>;
  readonly loadSeconds: number;
  readonly indexSeconds: number;
}

/** VACUUM ANALYZE the loaded tables, two at a time (two cores): statistics and the visibility map index-only scans need. */
async function vacuumAnalyze(clients: readonly Client[]): Promise<void> {
  const tables: string[] = [...TABLES];
  await Promise.all(
    clients.slice(0, 2).map(async (client) => {
      for (let table = tables.shift(); table !== undefined; table = tables.shift()) await client.query(`VACUUM ANALYZE ${table}`);
    }),
  );
}

/** Loads the population; the database must hold the migrated, empty schema. */
export async function loadConsentPopulation(options: LoadOptions): Promise<LoadResult> {
  const { consents: N, patients: P, seed } = options;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(N) || !Number.isSafeInteger(P) || P < 1 || N < P) {
    throw new Error(`bad load size: ${N} consents for ${P} patients (seed ${seed})`);
  }
  const log = options.log ?? (() => undefined);
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
    const saved = await dropKeysAndIndexes(c, TABLES);
    const started = performance.now();
    // Session functions: a non-negative 63-bit hash of (seed, row, salt), and an RFC 9562 version-4
    // shaped uuid from (tag, seed, row) — the service's zod schemas accept only real uuid versions.
    // Simple SQL functions are inlined by the planner.
    await c.query(`CREATE FUNCTION pg_temp.h(i bigint, salt int) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT hashint8extended(i, ${seed}::bigint * 64 + salt) & 9223372036854775807 $$`);
    await c.query(`CREATE FUNCTION pg_temp.u(tag text, i bigint) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT overlay(overlay(md5(tag || ':${seed}:' || i) placing '4' from 13) placing '8' from 17)::uuid $$`);

    await step(
      'facilities',
      `INSERT INTO facilities (code, level, province_code, sensitive, version)
       SELECT prov || lpad(k::text, 3, '0'),
              CASE WHEN k = 1 THEN 'specialised' WHEN k <= 4 THEN 'basic' ELSE 'initial' END,
              prov, k = $2 AND prov IN ('01', '79'), 1
         FROM unnest($1::text[]) AS prov, generate_series(1, $2) AS k`,
      [PROVINCES, FACILITIES_PER_PROVINCE],
    );
    // Patients register at ordinary facilities (links to sensitive ones travel on a restricted topic).
    await c.query(`CREATE TEMP TABLE bf AS
      SELECT (row_number() OVER (ORDER BY code) - 1)::int AS idx, code, province_code FROM facilities WHERE NOT sensitive`);
    const facilityCount = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM bf')).rows[0]?.n ?? 0);
    // CREATE TABLE AS takes no bind parameters: sizes are checked integers, the names a quoted literal.
    const namesLiteral = `(ARRAY[${REPRESENTATIVE_NAMES.map((n) => `'${n.replace(/'/g, "''")}'`).join(', ')}]::text[])`;

    await step(
      'patients (temp)',
      `CREATE TEMP TABLE bp AS
       SELECT p, pg_temp.u('p', p) AS id, f.idx AS fidx, f.code AS facility, f.province_code AS province,
              pg_temp.h(p, 5) % 1000 < 50 AS minor,
              current_date - (730 + pg_temp.h(p, 6) % 4700)::int AS birth,
              pg_temp.h(p, 7) % 3 <> 0 AS child_said_yes,
              now() - make_interval(days => (800 + pg_temp.h(p, 8) % 1000)::int) AS known_since
         FROM generate_series(0, ${P - 1}::bigint) AS p
         JOIN bf f ON f.idx = pg_temp.h(p, 1) % ${facilityCount}`,
    );
    await step('patients', `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) SELECT id, NULL, known_since FROM bp`);
    await step('patient_links', `INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) SELECT facility, 'BN' || lpad(p::text, 9, '0'), id FROM bp`);

    // Version 1 of every consent, with the draws its later rows need.
    await step(
      'consent versions 1 (temp)',
      `CREATE TEMP TABLE bv AS
       WITH codes AS (SELECT array_agg(code ORDER BY idx) AS a FROM bf),
       draws AS (
         SELECT j, (j / ${P})::int AS slot, pg_temp.h(j, 3) % 1000 AS r, pg_temp.h(j, 4) % 1000 AS r2, pg_temp.h(j, 9) % 1000 AS rc,
                now() - make_interval(days => (pg_temp.h(j, 2) % 700)::int, secs => (pg_temp.h(j, 10) % 86400)::int) AS recorded_at,
                bp.*
           FROM generate_series(0, ${N - 1}::bigint) AS j JOIN bp ON bp.p = j % ${P}
       ),
       scoped AS (
         SELECT d.*,
           CASE WHEN d.slot = 0 AND d.r < 80 THEN 'refused'
                WHEN d.slot = 1 AND d.r < 50 THEN 'refused'
                WHEN d.slot >= 2 AND d.r >= 400 AND d.r < 650 AND d.r2 < 300 THEN 'refused'
                ELSE 'granted' END AS status,
           CASE WHEN d.slot = 0 THEN CASE WHEN d.r2 < 500 THEN '{treatment,referral}' ELSE '{treatment}' END
                WHEN d.slot = 1 THEN '{referral}'
                WHEN d.r < 400 THEN '{public-health}'
                WHEN d.r < 650 THEN '{research-deidentified}'
                ELSE '{treatment}' END::text[] AS purposes,
           CASE WHEN d.slot = 0 THEN CASE d.r2 % 5 WHEN 0 THEN '{lab,imaging,encounters,prescriptions}' WHEN 1 THEN '{lab,imaging,encounters,prescriptions}'
                                                   WHEN 2 THEN '{lab,imaging,encounters,prescriptions,documents}' ELSE '{lab,imaging,encounters}' END
                WHEN d.slot = 1 THEN '{lab,imaging,encounters,documents}'
                WHEN d.r < 400 THEN '{lab,encounters}'
                WHEN d.r < 650 THEN '{lab,imaging,encounters,prescriptions}'
                WHEN d.r < 850 THEN CASE d.r2 % 4 WHEN 0 THEN '{hiv}' WHEN 1 THEN '{mental-health}' WHEN 2 THEN '{sexual-reproductive-health}' ELSE '{genetics}' END
                ELSE '{lab,imaging}' END::text[] AS categories,
           CASE WHEN d.slot = 0 AND d.r < 80 OR d.slot = 1 AND d.r < 50 THEN '[{"kind":"any-facility"}]'::jsonb
                WHEN d.slot = 0 THEN CASE WHEN d.r2 < 650 THEN '[{"kind":"care-relationship"}]'::jsonb
                                          WHEN d.r2 < 900 THEN '[{"kind":"any-facility"}]'::jsonb
                                          ELSE jsonb_build_array(jsonb_build_object('kind', 'province', 'provinceCode', d.province)) END
                WHEN d.slot = 1 THEN CASE WHEN d.r2 < 400 THEN '[{"kind":"levels","levels":["basic","specialised"]}]'::jsonb
                                          WHEN d.r2 < 700 THEN jsonb_build_array(jsonb_build_object('kind', 'facilities', 'facilityCodes',
                                                 jsonb_build_array(d.facility, codes.a[(1 + (d.fidx + 1 + pg_temp.h(d.j, 11) % ${facilityCount - 1}) % ${facilityCount})::int])))
                                          ELSE '[{"kind":"care-relationship"}]'::jsonb END
                WHEN d.r < 650 THEN '[{"kind":"any-facility"}]'::jsonb
                WHEN d.r < 850 THEN jsonb_build_array(jsonb_build_object('kind', 'facilities', 'facilityCodes', jsonb_build_array(d.facility)))
                ELSE '[{"kind":"levels","levels":["specialised"]}]'::jsonb END AS grantees,
           CASE d.rc % 20 WHEN 10 THEN 'signed-paper' WHEN 11 THEN 'signed-paper' WHEN 12 THEN 'signed-paper' WHEN 13 THEN 'signed-paper'
                          WHEN 14 THEN 'signed-paper' WHEN 15 THEN 'vneid' WHEN 16 THEN 'vneid' WHEN 17 THEN 'vneid'
                          WHEN 18 THEN 'sms-code' WHEN 19 THEN 'sms-code' ELSE 'in-person' END AS channel,
           CASE WHEN d.minor THEN jsonb_build_object(
                  'relationship', CASE WHEN d.r2 % 10 = 0 THEN 'guardian' ELSE 'parent' END,
                  'name', ${namesLiteral}[(1 + d.r2 % ${REPRESENTATIVE_NAMES.length})::int],
                  'subjectBirthDate', to_char(d.birth, 'YYYY-MM-DD'),
                  'childConsented', d.child_said_yes AND d.recorded_at::date >= d.birth + interval '7 years')
           END AS representative
           FROM draws d, codes
       )
       SELECT s.*,
              CASE WHEN s.status = 'granted' AND (s.slot >= 2 AND s.r >= 850 OR s.rc < 100)
                   THEN s.recorded_at + make_interval(days => (90 + pg_temp.h(s.j, 12) % 640)::int) END AS valid_until,
              s.status = 'granted' AND pg_temp.h(s.j, 13) % 1000 < 100 AS withdrawn,
              s.recorded_at + (now() - s.recorded_at) * ((50 + pg_temp.h(s.j, 14) % 900) / 1000.0) AS withdrawn_at
         FROM scoped s`,
    );

    await step(
      'consents',
      `INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at)
       SELECT pg_temp.u('c', j), id, id, recorded_at FROM bv`,
    );
    const evidence = (tag: string, channel: string) => `
      ${channel},
      CASE ${channel} WHEN 'vneid' THEN 'VNEID-' || upper(substr(md5('${tag}' || j), 1, 16)) WHEN 'sms-code' THEN 'SMS-' || substr(md5('${tag}' || j), 1, 12) END,
      CASE WHEN ${channel} = 'signed-paper' THEN encode(sha256(convert_to('scan:${tag}:' || j, 'UTF8')), 'hex') END,
      'NV' || lpad((pg_temp.h(j, 15) % 400)::text, 4, '0')`;
    await step(
      'consent_versions v1',
      `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until,
         channel, reference, document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
       SELECT pg_temp.u('c', j), 1, status, purposes, categories, grantees, recorded_at, valid_until,
              ${evidence('v1', 'channel')}, facility, recorded_at, true, representative, 'his-' || facility
         FROM bv`,
    );
    // A withdrawal is version 2 carrying the withdrawn version's scope (mostly at the desk).
    await step(
      'consent_versions v2 (withdrawals)',
      `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until,
         channel, reference, document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
       SELECT pg_temp.u('c', j), 2, 'withdrawn', purposes, categories, grantees, recorded_at, valid_until,
              ${evidence('v2', `CASE WHEN rc % 4 = 0 THEN 'vneid' ELSE 'in-person' END`)}, facility, withdrawn_at, true, representative, 'his-' || facility
         FROM bv WHERE withdrawn`,
    );
    // Ended periods were announced when they ended; a withdrawal before the end superseded the expiry.
    await step(
      'consent_expiries',
      `INSERT INTO consent_expiries (consent_id, version, ends_at, published_at, superseded)
       SELECT pg_temp.u('c', j), 1, valid_until,
              CASE WHEN NOT (withdrawn AND withdrawn_at < valid_until) AND valid_until <= now() THEN valid_until + interval '2 seconds' END,
              withdrawn AND withdrawn_at < valid_until
         FROM bv WHERE valid_until IS NOT NULL`,
    );
    const loadSeconds = (performance.now() - started) / 1000;
    const indexStarted = performance.now();
    await c.query('DROP TABLE bv, bp, bf');
    await restoreKeysAndIndexes(clients, saved);
    await vacuumAnalyze(clients);
    const indexSeconds = (performance.now() - indexStarted) / 1000;

    const rows = {} as Record<Table, number>;
    for (const table of TABLES) rows[table] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const versions: Record<string, number> = {};
    for (const row of (await c.query<{ k: string; n: string }>(`SELECT status || ' v' || version AS k, count(*) AS n FROM consent_versions GROUP BY 1 ORDER BY 1`)).rows) {
      versions[row.k] = Number(row.n);
    }
    return { rows, versions, loadSeconds, indexSeconds };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
