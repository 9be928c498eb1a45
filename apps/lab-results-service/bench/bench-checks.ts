import { Client } from 'pg';
import { type RuleSet } from '../src/reuse/domain/catalogue';
import { pickDistinct, rng, type BenchIssuer, type PreparedRequest } from './bench-support';

/**
 * The reuse checks the bench sends: `POST /v1/reuse-checks` with 5 tests, purpose treatment, the
 * patient by enterprise id, asked by the patient's own facility (60 %) or by the specialised
 * hospital of its province (40 %: the patient moved on), each with that facility's token. Up to three
 * of the tests are ones the patient has results for, the rest drawn from the catalogue's common tests.
 * Disjoint sets of patients for the warm-up, the sequential and the concurrent measurements.
 */

export interface CheckPlan {
  readonly warm: PreparedRequest[];
  readonly sequential: PreparedRequest[];
  readonly concurrent: PreparedRequest[];
  /** How the checks were drawn, for the output. */
  readonly describe: string;
}

export interface CheckOptions {
  /** lab-results-service's bench database (loaded). */
  readonly url: string;
  readonly issuer: BenchIssuer;
  readonly catalogue: RuleSet;
  readonly seed: number;
  readonly scope: string;
  readonly warm: number;
  readonly sequential: number;
  readonly concurrent: number;
}

const TESTS_PER_CHECK = 5;
/** What a doctor orders most: the fillers of a check beyond the patient's own tests. */
const COMMON = ['WBC', 'HGB', 'PLT', 'GLU', 'CREA', 'UREA', 'ALT', 'AST', 'HBA1C', 'CHOL', 'NA', 'K', 'HBSAG', 'CXR', 'USABD', 'TSH', 'CRP', 'BCX'];

interface Row {
  readonly id: string;
  readonly own: string;
  readonly hospital: string | null;
  readonly codes: string[] | null;
}

export async function reuseCheckRequests(options: CheckOptions): Promise<CheckPlan> {
  const total = options.warm + options.sequential + options.concurrent;
  const known = new Set(options.catalogue.tests.map((t) => t.code));
  const common = COMMON.filter((c) => known.has(c));
  const c = new Client({ connectionString: options.url });
  await c.connect();
  let rows: Row[];
  try {
    // Patients in an order shuffled by the seed, with their facility, their province's specialised hospital and their tests.
    rows = (
      await c.query<Row>(
        `WITH chosen AS (
           SELECT l.enterprise_patient_id AS id, l.facility_code AS own, f.province_code AS province
             FROM patient_links l JOIN facilities f ON f.code = l.facility_code
            ORDER BY md5(l.enterprise_patient_id::text || $1) LIMIT $2)
         SELECT ch.id, ch.own,
                (SELECT h.code FROM facilities h WHERE h.province_code = ch.province AND h.level = 'specialised' AND NOT h.sensitive ORDER BY h.code LIMIT 1) AS hospital,
                (SELECT array_agg(DISTINCT r.catalogue_code) FROM lab_results r WHERE r.enterprise_patient_id = ch.id AND r.catalogue_code IS NOT NULL) AS codes
           FROM chosen ch`,
        [String(options.seed), total],
      )
    ).rows;
  } finally {
    await c.end();
  }
  const random = rng(options.seed + 7);
  const tokens = new Map<string, string>();
  const token = async (facility: string) => {
    let t = tokens.get(facility);
    if (t === undefined) {
      t = await options.issuer.sign({ facility, scope: options.scope, sub: `his-${facility}` });
      tokens.set(facility, t);
    }
    return t;
  };
  let byHospital = 0;
  let withOwnResults = 0;
  const requests: PreparedRequest[] = [];
  for (const row of rows) {
    const atHospital = row.hospital !== null && row.hospital !== row.own && random() < 0.4;
    const requester = atHospital ? (row.hospital as string) : row.own;
    if (atHospital) byHospital += 1;
    const own = pickDistinct(row.codes ?? [], 3, random);
    if (own.length > 0) withOwnResults += 1;
    const tests = [...own];
    for (const code of pickDistinct(common, TESTS_PER_CHECK + 3, random)) if (tests.length < TESTS_PER_CHECK && !tests.includes(code)) tests.push(code);
    requests.push({
      path: '/v1/reuse-checks',
      headers: { authorization: `Bearer ${await token(requester)}`, 'content-type': 'application/json', 'x-purpose-of-use': 'treatment' },
      body: JSON.stringify({ patient: { enterprisePatientId: row.id }, purpose: 'treatment', testCodes: tests }),
    });
  }
  const n = Math.max(1, requests.length);
  return {
    warm: requests.slice(0, options.warm),
    sequential: requests.slice(options.warm, options.warm + options.sequential),
    concurrent: requests.slice(options.warm + options.sequential),
    describe:
      `${TESTS_PER_CHECK} tests each, purpose treatment, patient by enterprise id; ${((100 * byHospital) / n).toFixed(0)} % asked by the province's specialised hospital, ` +
      `the rest by the patient's own facility; ${((100 * withOwnResults) / n).toFixed(0)} % ask for tests the patient has results for (up to 3); ` +
      `${requests.length} distinct patients (warm-up ${options.warm}, sequential ${options.sequential}, concurrent pool ${requests.length - options.warm - options.sequential})`,
  };
}
