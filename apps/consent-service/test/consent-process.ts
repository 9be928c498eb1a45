import type { Decision, DecisionQuery } from '@lienthong/contracts';
import {
  builtServiceEnv,
  builtServicePaths,
  postJson,
  startBuiltService,
  startServiceProcess,
  uniqueName,
  withSql,
  type BuiltService,
  type ServiceProcess,
  type TestIssuer,
} from '@lienthong/testing';
import { randomUUID } from 'node:crypto';

/**
 * The built consent-service (`nx build consent-service`) as the e2e specs start it, on
 * @lienthong/testing's startBuiltService (`node main.js` after `node migrate.js`, a fresh database,
 * the shared Kafka and Redis, a test issuer's key), with a consumer group of its own. Replicas of one
 * service share its database. Plus what only consent's specs write: seeding the identity copy by SQL,
 * consent bodies, decisions. Tokens, JSON requests, SQL and the stalling proxy are the harness's.
 */
export const { dist: CONSENT_DIST, main: CONSENT_MAIN, migrate: CONSENT_MIGRATE } = builtServicePaths('consent-service');

/** Scopes consent-service checks. */
export const CONSENT_SCOPES = {
  write: 'system/Consent.c',
  read: 'system/Consent.rs',
  decide: 'lienthong/consent.decide',
  emergency: 'lienthong/emergency-access',
} as const;

/** The service's environment (builtServiceEnv) with a consumer group and Kafka client id of its own. `overrides` win. */
export function consentEnv(databaseUrl: string, issuer: TestIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  return builtServiceEnv(databaseUrl, issuer, { KAFKA_CLIENT_ID: uniqueName('consent-e2e'), CONSENT_CONSUMER_GROUP: uniqueName('consent-e2e'), ...overrides });
}

export type ConsentProcess = BuiltService;

/**
 * A fresh database named after `database` (e.g. `consent_decisions_e2e`), migrated by the built
 * migrate.js, and the built main.js on it, ready; its consumer group named after the database.
 */
export function startConsent(issuer: TestIssuer, { database, env = {} }: { database: string; env?: Record<string, string> }): Promise<ConsentProcess> {
  return startBuiltService('consent-service', issuer, { database, env: { CONSENT_CONSUMER_GROUP: uniqueName(database.replace(/_/g, '-')), ...env } });
}

/**
 * Another replica of `primary`: the same database, consumer group and Redis, a Kafka client id of its
 * own. `env` overrides (a DATABASE_URL through a proxy, shorter timeouts). Kill it yourself.
 */
export function startConsentReplica(primary: ConsentProcess, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess(CONSENT_MAIN, { ...primary.env, KAFKA_CLIENT_ID: uniqueName('consent-e2e-replica'), ...env });
}

export interface SeedFacility {
  readonly code: string;
  readonly level: 'initial' | 'basic' | 'specialised';
  readonly provinceCode: string;
  readonly sensitive?: boolean;
}

/** The facility registry copy, as identity.facility.v1 would have left it. */
export function seedFacilities(url: string, facilities: readonly SeedFacility[]): Promise<void> {
  return withSql(url, async (sql) => {
    for (const f of facilities) {
      await sql.query(
        `INSERT INTO facilities (code, level, province_code, sensitive, version) VALUES ($1, $2, $3, $4, 1) ON CONFLICT (code) DO NOTHING`,
        [f.code, f.level, f.provinceCode, f.sensitive ?? false],
      );
    }
  });
}

/** A new patient identity announced, registered (care relationship) at each facility in `links`; its enterprise id. */
export function seedPatient(url: string, links: readonly string[] = []): Promise<string> {
  const id = randomUUID();
  return withSql(url, async (sql) => {
    await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [id]);
    for (const code of links) await sql.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, $2, $3)`, [code, `BN-${id.slice(0, 8)}`, id]);
    return id;
  });
}

/** Evidence of a statement taken in person by staff member `recordedBy`, the patient told what is sensitive. */
export const inPersonEvidence = (recordedBy = 'NV-7') => ({ channel: 'in-person', recordedBy, informedOfSensitivity: true }) as const;

/** A `POST /v1/consents` body: the patient grants treatment and referral access to lab and imaging to any facility (override any part). */
export function grantBody(enterprisePatientId: string, overrides: { decision?: 'grant' | 'refuse'; scope?: Record<string, unknown>; evidence?: Record<string, unknown> } = {}) {
  return {
    enterprisePatientId,
    decision: overrides.decision ?? 'grant',
    scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], grantees: [{ kind: 'any-facility' }], ...overrides.scope },
    evidence: { ...inPersonEvidence(), ...overrides.evidence },
  };
}

/** Records a consent (201 expected); its consentId. */
export async function recordConsent(base: string, headers: Record<string, string>, body: unknown): Promise<string> {
  const response = await postJson(base, '/v1/consents', headers, body);
  if (response.status !== 201) throw new Error(`POST /v1/consents: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { consentId: string }).consentId;
}

/** Withdraws a granted consent, in person (200 expected). */
export async function withdrawConsent(base: string, headers: Record<string, string>, consentId: string): Promise<void> {
  const response = await postJson(base, `/v1/consents/${consentId}/withdrawal`, headers, { evidence: inPersonEvidence() });
  if (response.status !== 200 && response.status !== 201) throw new Error(`withdrawal: ${response.status} ${await response.text()}`);
}

/** POST /v1/decisions, expecting 200; the decision. */
export async function decide(base: string, headers: Record<string, string>, query: DecisionQuery): Promise<Decision> {
  const response = await postJson(base, '/v1/decisions', headers, query);
  if (response.status !== 200) throw new Error(`POST /v1/decisions: ${response.status} ${await response.text()}`);
  return (await response.json()) as Decision;
}
