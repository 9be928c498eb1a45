import { VN_ADDRESS_DEFINITIONS } from '@lienthong/fhir';
import { bearer as bearerOf, createTestIssuer, uniqueName } from '@lienthong/testing';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isoBirthDate, postPatient, registrationOf, startIdentity, syntheticAdults, type IdentityProcess, type SyntheticAdult } from './identity-process';

/**
 * FHIR R4 conformance of identity-service, judged by the HL7 validator rather than by our reading of
 * the specification: the built service runs as a process, every FHIR endpoint is asked something
 * (read, search, $ihe-pix, $match, metadata, and each kind of refusal), each answer is kept, and the
 * HAPI FHIR instance validator (tools/fhir-validator, R4 core definitions plus our address extensions)
 * runs once over all of them. An error anywhere fails the test with the validator's own words.
 */
const ROOT = join(__dirname, '../../..');
const VALIDATE = join(ROOT, 'tools/fhir-validator/validate.sh');
const run = promisify(execFile);

/** Trung tâm Y tế khu vực Sóc Sơn and Bệnh viện Thanh Nhàn (seed data). */
const DISTRICT = '01904';
const PROVINCIAL = '01902';
const FHIR_CCCD = 'https://lienthong.vn/fhir/sid/cccd';
const localSystem = (facility: string) => `https://lienthong.vn/fhir/sid/local/${facility}`;

interface ValidatorIssue {
  readonly severity: 'fatal' | 'error' | 'warning' | 'information';
  readonly location?: string;
  readonly message: string;
}
interface ValidatorReport {
  readonly file: string;
  readonly resourceType: string | null;
  readonly issues: readonly ValidatorIssue[];
}

/** JSON paths of every empty array in a document (FHIR JSON has none). */
function emptyArrays(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyArrays(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => emptyArrays(v, `${path}.${k}`));
  return [];
}

describe('identity-service FHIR R4 conformance (built, as a process; HL7 validator)', () => {
  const issuer = createTestIssuer();
  /** Two distinct synthetic adults with CCCDs and coded addresses, unique to this run. */
  const [person, other] = syntheticAdults(2) as [SyntheticAdult, SyntheticAdult];
  const runTag = uniqueName('fhir').replace(/[^a-z0-9]/gi, '').toUpperCase();
  /** Every FHIR answer of the run, by a readable name: validated together at the end. */
  const answers = new Map<string, { status: number; contentType: string | null; body: unknown }>();

  let identity: IdentityProcess | undefined;
  let base = '';
  let survivorId = '';
  let mergedId = '';
  let fetchSeconds = 0;

  const bearer = (claims: Record<string, string>) => bearerOf(issuer, claims);
  const facility = (code: string, scope: string) => bearer({ facility: code, scope, sub: `his-${code}` });

  /** One FHIR call; its answer is kept for the validator under `name`. */
  async function fhir(name: string, path: string, init: { method?: string; authorization?: string; contentType?: string; body?: unknown } = {}) {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/fhir+json',
        'x-purpose-of-use': 'treatment',
        ...(init.authorization !== undefined ? { authorization: init.authorization } : {}),
        ...(init.contentType !== undefined ? { 'content-type': init.contentType } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const answer = { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as unknown };
    answers.set(name, answer);
    return answer as { status: number; contentType: string | null; body: Record<string, unknown> & { resourceType?: string } };
  }

  async function register(facilityCode: string, p: SyntheticAdult, localId: string): Promise<string> {
    const response = await postPatient(base, { authorization: await facility(facilityCode, 'system/Patient.cu') }, {
      ...registrationOf(p, localId),
      address: { provinceCode: p.provinceCode, communeCode: p.communeCode, line: `${runTag.slice(-4)} Lê Lợi` },
    });
    expect(response.status).toBeLessThan(300);
    return ((await response.json()) as { enterprisePatientId: string }).enterprisePatientId;
  }

  beforeAll(async () => {
    // The validator's jars: fetched from Maven Central on the first run, reused after (see the report).
    const started = Date.now();
    await run(VALIDATE, ['--fetch'], { timeout: 600_000 });
    fetchSeconds = (Date.now() - started) / 1000;

    identity = await startIdentity(issuer, { database: 'identity_fhir_e2e' });
    base = identity.base;

    survivorId = await register(DISTRICT, person, `SS-${runTag}`);
    expect(await register(PROVINCIAL, person, `TN-${runTag}`)).toBe(survivorId);
    mergedId = await register(PROVINCIAL, other, `TN-${runTag}-2`);
  }, 660_000);

  afterAll(async () => {
    await identity?.stop();
  });

  it('GET /fhir/metadata: a CapabilityStatement of what is served, with the SMART scopes, no token needed', async () => {
    const { status, contentType, body } = await fhir('metadata', '/fhir/metadata');
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/fhir\+json/);
    expect(body).toMatchObject({
      resourceType: 'CapabilityStatement',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: expect.arrayContaining(['application/fhir+json']),
      implementation: { url: `${base}/fhir` },
      rest: [
        {
          mode: 'server',
          security: { service: [{ coding: [{ code: 'SMART-on-FHIR' }] }], description: expect.stringContaining('lienthong/patient.crossref') },
          resource: [
            {
              type: 'Patient',
              interaction: [{ code: 'read' }, { code: 'search-type' }],
              searchParam: [{ name: 'identifier', type: 'token' }],
              operation: [{ name: 'ihe-pix' }, { name: 'match' }],
            },
          ],
        },
      ],
    });
  });

  it('read and search: the address is coded in extensions with its system, the province named in state', async () => {
    const read = await fhir('read', `/fhir/Patient/${survivorId}`, { authorization: await facility(DISTRICT, 'system/Patient.rs') });
    expect(read.status).toBe(200);
    const [address] = read.body['address'] as { extension: { url: string; valueCoding: { system: string; code: string } }[]; state?: string; city?: string }[];
    expect(address?.extension).toEqual([
      { url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-province', valueCoding: expect.objectContaining({ system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: person.provinceCode }) },
      { url: 'https://lienthong.vn/fhir/StructureDefinition/vn-address-commune', valueCoding: { system: 'https://lienthong.vn/fhir/CodeSystem/vn-administrative-unit', code: person.communeCode } },
    ]);
    expect(address?.state).not.toMatch(/^\d+$/);
    expect(address).not.toHaveProperty('city');

    const search = await fhir('search', `/fhir/Patient?identifier=${encodeURIComponent(`${FHIR_CCCD}|${person.cccd}`)}`, { authorization: await facility(DISTRICT, 'system/Patient.rs') });
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ fullUrl: `${base}/fhir/Patient/${survivorId}` }] });

    const none = await fhir('search-empty', `/fhir/Patient?identifier=${encodeURIComponent(`${localSystem(DISTRICT)}|NOBODY-${runTag}`)}`, {
      authorization: await facility(DISTRICT, 'system/Patient.rs'),
    });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ resourceType: 'Bundle', total: 0 });
    expect(none.body).not.toHaveProperty('entry');
  });

  it('$ihe-pix: the cross-reference; 404 for an unknown patient, 400 for an unknown source domain, 403 for an unknown target (ITI-83)', async () => {
    const authorization = await facility(PROVINCIAL, 'system/Patient.rs lienthong/patient.crossref');
    const pix = (query: Record<string, string>) => `/fhir/Patient/$ihe-pix?${new URLSearchParams(query).toString()}`;

    const found = await fhir('pix', pix({ sourceIdentifier: `${FHIR_CCCD}|${person.cccd}` }), { authorization });
    expect(found.status).toBe(200);
    expect(found.body['parameter']).toEqual(
      expect.arrayContaining([
        { name: 'targetIdentifier', valueIdentifier: { system: localSystem(DISTRICT), value: `SS-${runTag}` } },
        { name: 'targetId', valueReference: { reference: `Patient/${survivorId}` } },
      ]),
    );

    const unknownPatient = await fhir('pix-404', pix({ sourceIdentifier: `${localSystem(DISTRICT)}|NOBODY-${runTag}` }), { authorization });
    expect({ status: unknownPatient.status, type: unknownPatient.contentType }).toEqual({ status: 404, type: expect.stringMatching(/^application\/fhir\+json/) });
    expect(unknownPatient.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'sourceIdentifier Patient Identifier not found' }] });

    const unknownDomain = await fhir('pix-400', pix({ sourceIdentifier: 'urn:oid:1.2.3.4|123' }), { authorization });
    expect(unknownDomain.status).toBe(400);
    expect(unknownDomain.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'code-invalid', diagnostics: 'sourceIdentifier Assigning Authority not found' }] });

    const unknownTarget = await fhir('pix-403', pix({ sourceIdentifier: `${FHIR_CCCD}|${person.cccd}`, targetSystem: localSystem('79999') }), { authorization });
    expect(unknownTarget.status).toBe(403);
    expect(unknownTarget.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'code-invalid', diagnostics: 'targetSystem not found' }] });
  });

  it('$match accepts application/fhir+json (415 before) and answers a scored searchset', async () => {
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'resource',
          resource: {
            resourceType: 'Patient',
            name: [{ text: person.fullName }],
            gender: person.sex,
            birthDate: isoBirthDate(person),
            identifier: [{ system: FHIR_CCCD, value: person.cccd }],
          },
        },
      ],
    };
    const match = await fhir('match', '/fhir/Patient/$match', {
      method: 'POST',
      authorization: await facility(PROVINCIAL, 'system/Patient.rs lienthong/patient.crossref'),
      contentType: 'application/fhir+json',
      body: parameters,
    });
    expect(match.status).toBe(200);
    expect(match.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', entry: [{ fullUrl: `${base}/fhir/Patient/${survivorId}`, search: { mode: 'match', score: 1 } }] });
  });

  it('a merged id reads as that id, inactive, replaced by the survivor', async () => {
    const merge = await fetch(`${base}/v1/patients/${survivorId}/merge`, {
      method: 'POST',
      headers: { authorization: await bearer({ role: 'data-steward', scope: 'lienthong/mpi.steward', sub: 'steward-1' }), 'content-type': 'application/json' },
      body: JSON.stringify({ mergedId }),
    });
    expect(merge.status).toBe(200);

    const read = await fhir('read-merged', `/fhir/Patient/${mergedId}`, { authorization: await facility(PROVINCIAL, 'system/Patient.rs') });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ resourceType: 'Patient', id: mergedId, active: false, link: [{ other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' }] });
  });

  it('refusals are OperationOutcomes: unknown route (404, was problem+json), no token (401), bad parameter (422)', async () => {
    const unknown = await fhir('unknown-route', '/fhir/Observation?patient=x', { authorization: await facility(DISTRICT, 'system/Patient.rs') });
    expect({ status: unknown.status, type: unknown.contentType }).toEqual({ status: 404, type: expect.stringMatching(/^application\/fhir\+json/) });
    expect(unknown.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });

    const anonymous = await fhir('unauthenticated', `/fhir/Patient/${survivorId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });

    const invalid = await fhir('invalid-parameter', '/fhir/Patient?identifier=cccd%7C123', { authorization: await facility(DISTRICT, 'system/Patient.rs') });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', expression: ['http.identifier'] }] });
  });

  it('every answer above has no empty array and only absolute fullUrls, and the HL7 validator finds no error in any', async () => {
    expect([...answers.keys()].sort()).toEqual(
      [
        'invalid-parameter',
        'match',
        'metadata',
        'pix',
        'pix-400',
        'pix-403',
        'pix-404',
        'read',
        'read-merged',
        'search',
        'search-empty',
        'unauthenticated',
        'unknown-route',
      ].sort(),
    );
    for (const [name, { body }] of answers) {
      expect({ name, emptyArrays: emptyArrays(body) }).toEqual({ name, emptyArrays: [] });
      const entries = ((body as { entry?: { fullUrl?: string }[] }).entry ?? []).map((e) => e.fullUrl);
      for (const fullUrl of entries) expect({ name, fullUrl }).toEqual({ name, fullUrl: expect.stringMatching(/^https?:\/\/[^/]+\/fhir\/Patient\/[0-9a-f-]{36}$/) });
    }

    const dir = mkdtempSync(join(tmpdir(), 'fhir-conformance-'));
    try {
      const definitions = join(dir, 'definitions');
      const outputs = join(dir, 'answers');
      for (const d of [definitions, outputs]) mkdirSync(d);
      for (const d of VN_ADDRESS_DEFINITIONS) writeFileSync(join(definitions, `${d.id ?? 'definition'}.json`), JSON.stringify(d));
      for (const [name, { body }] of answers) writeFileSync(join(outputs, `${name}.json`), JSON.stringify(body));

      const { stdout } = await run(VALIDATE, ['--definitions', definitions, outputs], { timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
      const report = JSON.parse(stdout) as ValidatorReport[];
      expect(report).toHaveLength(answers.size);
      const errors = report.flatMap((r) =>
        r.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${r.file.split('/').pop() ?? ''} ${i.location ?? ''}: ${i.message}`),
      );
      expect(errors).toEqual([]);
      // Warnings are allowed (dom-6 "should have narrative" above all); list them for whoever reads the log.
      const warnings = report.flatMap((r) => r.issues.filter((i) => i.severity === 'warning').map((i) => `${r.file.split('/').pop() ?? ''}: ${i.message}`));
      process.stdout.write(`FHIR validator: ${report.length} resources, 0 errors, ${warnings.length} warnings; jars ready in ${fetchSeconds.toFixed(1)} s\n${warnings.join('\n')}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
