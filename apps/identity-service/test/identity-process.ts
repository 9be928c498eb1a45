import { PopulationGenerator, type SyntheticPerson } from '@lienthong/synthetic';
import { builtServiceEnv, builtServicePaths, postJson, startBuiltService, uniqueName, type BuiltService, type TestIssuer } from '@lienthong/testing';

/**
 * The built identity-service (`nx build identity-service`, a dependency of the e2e target) as the
 * e2e specs start it, on @lienthong/testing's startBuiltService (`node main.js` after `node
 * migrate.js`, a fresh database, the shared Kafka and Redis, a test issuer's key) with the seed
 * facilities. Plus the registrations every spec writes the same way; tokens and JSON requests are
 * the harness's.
 */
export const { dist: IDENTITY_DIST, main: IDENTITY_MAIN, migrate: IDENTITY_MIGRATE } = builtServicePaths('identity-service');

/** identity's own settings over builtServiceEnv: the seed facilities. */
const IDENTITY_ENV = { IDENTITY_SEED_FACILITIES: 'true' };

/** The service's environment (builtServiceEnv) with the seed facilities and a Kafka client id of its own. `overrides` win. */
export function identityEnv(databaseUrl: string, issuer: TestIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  return builtServiceEnv(databaseUrl, issuer, { KAFKA_CLIENT_ID: uniqueName('identity-e2e'), ...IDENTITY_ENV, ...overrides });
}

export type IdentityProcess = BuiltService;

/**
 * A fresh database named after `database` (e.g. `identity_xf_e2e`; the Kafka client id is the same
 * name with dashes), migrated by the built migrate.js, and the built main.js on it, ready.
 */
export function startIdentity(issuer: TestIssuer, { database, env = {} }: { database: string; env?: Record<string, string> }): Promise<IdentityProcess> {
  return startBuiltService('identity-service', issuer, { database, env: { ...IDENTITY_ENV, ...env } });
}

/** POST /v1/patients: `body` as JSON, with `headers`. */
export function postPatient(base: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return postJson(base, '/v1/patients', headers, body);
}

export type SyntheticAdult = SyntheticPerson & { cccd: string };

/**
 * `count` distinct synthetic adults with a CCCD and a full birth date, from `generator` (by default
 * one seeded from the time and the pid, so the people are unique to this run).
 */
export function syntheticAdults(count: number, generator = new PopulationGenerator({ seed: Date.now() ^ (process.pid << 8) })): SyntheticAdult[] {
  const people: SyntheticAdult[] = [];
  while (people.length < count) {
    const p = generator.person();
    const adult = generator.referenceYear - p.birthDate.year >= 18;
    if (p.cccd !== undefined && adult && p.birthDate.month !== undefined && p.birthDate.day !== undefined && !people.some((q) => q.cccd === p.cccd)) {
      people.push({ ...p, cccd: p.cccd });
    }
  }
  return people;
}

/** `YYYY-MM-DD` (or `YYYY-MM`, `YYYY` for a partial date). */
export const isoBirthDate = (p: SyntheticPerson): string =>
  [p.birthDate.year, p.birthDate.month, p.birthDate.day]
    .filter((n): n is number => n !== undefined)
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
    .join('-');

/** The API's sex code: 1 male, 2 female. */
export const sexCode = (p: SyntheticPerson): 1 | 2 => (p.sex === 'male' ? 1 : 2);

/** The part of a registration every spec sends the same way: the person's name, birth date, sex and CCCD. */
export const registrationOf = (p: SyntheticAdult, localId: string) => ({
  localId,
  fullName: p.fullName,
  birthDate: isoBirthDate(p),
  sex: sexCode(p),
  identifiers: [{ system: 'cccd', value: p.cccd }],
});
