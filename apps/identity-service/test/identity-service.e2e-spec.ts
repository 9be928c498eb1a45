import { Topics } from '@lienthong/contracts';
import { collectMessages, createTestIssuer, expectEventually, facilityHeaders, uniqueName, type CollectedMessage, type ProcessOutput } from '@lienthong/testing';
import { foldName } from '@lienthong/vn-standards';
import { isoBirthDate, postPatient, registrationOf, sexCode, startIdentity, syntheticAdults, type IdentityProcess, type SyntheticAdult } from './identity-process';

/**
 * identity-service built (`nx build identity-service`, a dependency of this target) and run as a real
 * process with plain node, against a fresh database (migrated by the built migrate.js) and the shared
 * Kafka. Walks the flow a hospital HIS runs: register at a district hospital, the same person at a
 * provincial hospital, look up, read as FHIR, cross-reference, and the refusals.
 */

/** Trung tâm Y tế khu vực Sóc Sơn: a former district hospital (seed data). */
const DISTRICT = '01904';
/** Bệnh viện Thanh Nhàn: a provincial-tier hospital (seed data). */
const PROVINCIAL = '01902';
const PATIENT_TOPIC = Topics.identityPatientV1.name;
const FHIR_CCCD = 'https://lienthong.vn/fhir/sid/cccd';
const localSystem = (facility: string) => `https://lienthong.vn/fhir/sid/local/${facility}`;

function messageText(m: CollectedMessage): string {
  const headers = Object.entries(m.message.headers ?? {}).map(([name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    return `${name}=${values.map((v) => (v === undefined ? '' : v.toString())).join(',')}`;
  });
  return [m.message.key?.toString('utf8') ?? '', m.message.value?.toString('utf8') ?? '', ...headers].join('\n');
}

describe('identity-service (built, as a process)', () => {
  const issuer = createTestIssuer();
  const [person] = syntheticAdults(1) as [SyntheticAdult];
  const CCCD = person.cccd;
  const runTag = uniqueName('e2e').replace(/[^a-z0-9]/gi, '').toUpperCase();
  const districtLocalId = `SS-${runTag}`;
  const provincialLocalId = `TN-${runTag}`;

  let identity: IdentityProcess | undefined;
  let output: ProcessOutput = { stdout: '', stderr: '' };
  let migrateOutput: ProcessOutput = { stdout: '', stderr: '' };
  let base = '';
  let collector: Awaited<ReturnType<typeof collectMessages>> | undefined;
  let enterprisePatientId = '';

  const token = (facility: string, scope: string) => issuer.sign({ facility, scope, sub: `his-${facility}` });
  const headers = (facility: string, scope: string, extra: Record<string, string> = {}) => facilityHeaders(issuer, facility, scope, extra);

  const registrationBody = (localId: string, overrides: Record<string, unknown> = {}) => ({
    ...registrationOf(person, localId),
    address: { provinceCode: person.provinceCode, communeCode: person.communeCode },
    ...(person.phone !== undefined ? { phone: person.phone } : {}),
    ...overrides,
  });

  async function register(facility: string, body: unknown): Promise<Response> {
    return postPatient(base, await headers(facility, 'system/Patient.cu'), body);
  }

  beforeAll(async () => {
    // Subscribe before the service publishes anything (reads from the beginning anyway).
    collector = await collectMessages([PATIENT_TOPIC], uniqueName('identity-e2e-reader'));
    identity = await startIdentity(issuer, { database: 'identity_e2e' });
    ({ base, migrateOutput } = identity);
    output = identity.service.output;
  });

  afterAll(async () => {
    await collector?.stop();
    await identity?.stop();
  });

  it('applied its migrations with the built migrate.js and reports ready with Postgres and Kafka checked', async () => {
    expect(migrateOutput.stdout).toContain('migrations applied');
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(body.checks).toMatchObject({ postgres: { status: 'up' }, kafka: { status: 'up' } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('registers the patient at a district hospital (created), then at a provincial hospital with a plain-ASCII name (linked, same id)', async () => {
    const first = await register(DISTRICT, registrationBody(districtLocalId));
    expect(first.status).toBe(201); // a new enterprise patient (Location: rest-conformance.e2e-spec.ts)
    const created = (await first.json()) as { enterprisePatientId: string; outcome: string; warnings: unknown[] };
    expect(created).toMatchObject({ outcome: 'created', warnings: [] });
    expect(created.enterprisePatientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.enterprisePatientId).not.toContain(CCCD);
    enterprisePatientId = created.enterprisePatientId;

    const asciiName = foldName(person.fullName);
    expect(asciiName).not.toBe(person.fullName); // the provincial HIS drops the diacritics
    const second = await register(PROVINCIAL, registrationBody(provincialLocalId, { fullName: asciiName, facilityCode: PROVINCIAL }));
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ enterprisePatientId, outcome: 'linked', warnings: [] });

    // The district HIS sends the same record again: an update of the same patient, not a new one.
    const again = await register(DISTRICT, registrationBody(districtLocalId));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ enterprisePatientId, outcome: 'updated' });
  });

  it('finds the patient by CCCD (blind index) and by local id', async () => {
    const query = new URLSearchParams({ identifier: `cccd|${CCCD}` });
    const byCccd = await fetch(`${base}/v1/patients?${query.toString()}`, { headers: await headers(DISTRICT, 'system/Patient.rs') });
    expect(byCccd.status).toBe(200);
    const found = (await byCccd.json()) as { items: { enterprisePatientId: string; identifiers: { system: string; value?: string }[]; links: { facilityCode: string; localId: string }[] }[] };
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ enterprisePatientId, fullName: person.fullName, sex: sexCode(person) });
    // Without the cross-reference scope the district hospital sees only its own link.
    expect(found.items[0]?.links).toEqual([{ facilityCode: DISTRICT, localId: districtLocalId }]);
    expect(found.items[0]?.identifiers).toContainEqual({ system: 'cccd', status: 'active', value: CCCD });

    const byLocal = await fetch(`${base}/v1/patients?${new URLSearchParams({ facility: PROVINCIAL, localId: provincialLocalId }).toString()}`, {
      headers: await headers(PROVINCIAL, 'system/Patient.rs'),
    });
    expect(byLocal.status).toBe(200);
    expect(((await byLocal.json()) as { items: { enterprisePatientId: string }[] }).items.map((i) => i.enterprisePatientId)).toEqual([enterprisePatientId]);
  });

  it('serves the patient as a FHIR R4 Patient resource', async () => {
    const response = await fetch(`${base}/fhir/Patient/${enterprisePatientId}`, { headers: await headers(PROVINCIAL, 'system/Patient.rs') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const patient = (await response.json()) as { resourceType: string; id: string; gender: string; birthDate: string; identifier?: { system: string; value: string }[] };
    expect(patient).toMatchObject({ resourceType: 'Patient', id: enterprisePatientId, gender: person.sex, birthDate: isoBirthDate(person) });
    expect(patient.identifier ?? []).toContainEqual(expect.objectContaining({ system: localSystem(PROVINCIAL), value: provincialLocalId }));
  });

  it('$ihe-pix with the cross-reference scope lists the local ids at both hospitals', async () => {
    const query = new URLSearchParams({ sourceIdentifier: `${FHIR_CCCD}|${CCCD}` });
    const withScope = await fetch(`${base}/fhir/Patient/$ihe-pix?${query.toString()}`, {
      headers: await headers(PROVINCIAL, 'system/Patient.rs lienthong/patient.crossref'),
    });
    expect(withScope.status).toBe(200);
    expect(withScope.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const parameters = (await withScope.json()) as {
      resourceType: string;
      parameter: { name: string; valueIdentifier?: { system: string; value: string }; valueReference?: { reference: string } }[];
    };
    expect(parameters.resourceType).toBe('Parameters');
    const targets = parameters.parameter.filter((p) => p.name === 'targetIdentifier').map((p) => p.valueIdentifier);
    expect(targets).toEqual(
      expect.arrayContaining([
        { system: localSystem(DISTRICT), value: districtLocalId },
        { system: localSystem(PROVINCIAL), value: provincialLocalId },
      ]),
    );
    expect(targets).toHaveLength(2);
    expect(parameters.parameter).toContainEqual({ name: 'targetId', valueReference: { reference: `Patient/${enterprisePatientId}` } });

    // The same question without the scope is refused: where a patient was treated is sensitive.
    const without = await fetch(`${base}/fhir/Patient/$ihe-pix?${query.toString()}`, { headers: await headers(PROVINCIAL, 'system/Patient.rs') });
    expect(without.status).toBe(403);
  });

  it('refuses an invalid CCCD with 422 problem+json naming the field and the rule', async () => {
    const bad = `099${CCCD.slice(3)}`; // 099 is no birth-registration code
    const response = await register(DISTRICT, registrationBody(`${districtLocalId}-BAD`, { identifiers: [{ system: 'cccd', value: bad }] }));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { status: number; type: string; errors: { pointer?: string; field?: string; rule: string }[] };
    expect(problem).toMatchObject({ status: 422, type: 'https://lienthong.vn/problems/validation-error' });
    expect(problem.errors).toContainEqual(expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'cccd.province-code' }));

    const short = await register(DISTRICT, registrationBody(`${districtLocalId}-SHORT`, { identifiers: [{ system: 'cccd', value: CCCD.slice(0, 11) }] }));
    expect(short.status).toBe(422);
    expect(((await short.json()) as { errors: unknown[] }).errors).toContainEqual(expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'cccd.format' }));
  });

  it('refuses a body naming another facility than the token (403) and a request without a token (401)', async () => {
    const mismatch = await register(DISTRICT, registrationBody(`${districtLocalId}-X`, { facilityCode: PROVINCIAL }));
    expect(mismatch.status).toBe(403);
    expect(mismatch.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await mismatch.json()).toMatchObject({ status: 403, type: 'https://lienthong.vn/problems/facility-mismatch' });

    const anonymous = await fetch(`${base}/v1/patients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registrationBody(`${districtLocalId}-ANON`)),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const anonymousRead = await fetch(`${base}/fhir/Patient/${enterprisePatientId}`);
    expect(anonymousRead.status).toBe(401);

    // Writes need the write scope: a read-only token cannot register.
    const readOnly = await fetch(`${base}/v1/patients`, {
      method: 'POST',
      headers: await headers(DISTRICT, 'system/Patient.rs', { 'content-type': 'application/json' }),
      body: JSON.stringify(registrationBody(`${districtLocalId}-RO`)),
    });
    expect(readOnly.status).toBe(403);
  });

  it('answers /metrics and /docs-json', async () => {
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/v1\/patients"/);
    expect(text).not.toContain(CCCD);

    const docs = await fetch(`${base}/docs-json`);
    expect(docs.status).toBe(200);
    const doc = (await docs.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths).toHaveProperty(['/v1/patients']);
    expect(doc.paths).toHaveProperty(['/fhir/Patient/{id}']);
  });

  it('publishes registered and linked events for the patient on identity.patient.v1, with no CCCD in keys, values or headers', async () => {
    const reader = collector;
    if (!reader) throw new Error('no collector');
    const ours = () => reader.messages.filter((m) => m.message.key?.toString('utf8') === enterprisePatientId);
    // Binary-mode CloudEvents: the event type travels in the ce_type header, the value is the data.
    const types = () => ours().map((m) => m.message.headers?.['ce_type']?.toString() ?? '');
    await expectEventually(
      () => {
        const seen = types();
        expect(seen.filter((t) => /registered/i.test(t))).toHaveLength(2); // created at the district, linked at the province
        expect(seen.filter((t) => /linked/i.test(t))).toHaveLength(1);
        expect(seen.filter((t) => /updated/i.test(t)).length).toBeLessThanOrEqual(1);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const data = ours().map((m) => JSON.parse(m.message.value?.toString('utf8') ?? '{}') as Record<string, unknown>);
    expect(data).toContainEqual(expect.objectContaining({ enterprisePatientId, facilityCode: PROVINCIAL, localId: provincialLocalId, method: 'cccd' }));
    // Every record read from the topic — ours and anyone else's — is free of this CCCD.
    expect(reader.messages.length).toBeGreaterThanOrEqual(3);
    for (const m of reader.messages) expect(messageText(m)).not.toContain(CCCD);
  });

  it('lets a service acting for a facility register for that facility only, and refuses a person where a facility is required', async () => {
    const labService = (scope: string) => issuer.sign({ service: 'lab-results-service', scope, sub: 'svc-lab-results' });
    const post = async (bearer: string, body: unknown, extra: Record<string, string> = {}) => postPatient(base, { authorization: `Bearer ${bearer}`, ...extra }, body);
    const actingService = await labService('lienthong/act-for system/Patient.cu');
    const labLocalId = `LAB-${runTag}`;

    // The district hospital's file arrives at lab-results-service, which registers the patient for it.
    const forDistrict = await post(actingService, registrationBody(labLocalId), { 'x-act-for-facility': DISTRICT });
    expect(forDistrict.status).toBe(200);
    expect(await forDistrict.json()).toMatchObject({ enterprisePatientId, outcome: 'linked' });
    const byLocalId = new URLSearchParams({ localId: labLocalId });
    const found = await fetch(`${base}/v1/patients?${byLocalId.toString()}`, { headers: await headers(DISTRICT, 'system/Patient.rs') });
    expect(((await found.json()) as { items: { enterprisePatientId: string }[] }).items.map((p) => p.enterprisePatientId)).toEqual([enterprisePatientId]);
    // The audit keeps both: which service called, and for which facility.
    const audit = await fetch(`${base}/v1/patients/${enterprisePatientId}/audit`, { headers: await headers(DISTRICT, 'lienthong/audit.read') });
    const entries = ((await audit.json()) as { items: { action: string; actorKind: string; actingService: string | null; facilityCode: string | null }[] }).items;
    expect(entries).toContainEqual(expect.objectContaining({ action: 'patient.register', actorKind: 'service', actingService: 'lab-results-service', facilityCode: DISTRICT }));

    // …and nothing else: not another facility through the body, not itself without naming a facility.
    const otherInBody = await post(actingService, registrationBody(`${labLocalId}-P`, { facilityCode: PROVINCIAL }), { 'x-act-for-facility': DISTRICT });
    expect(otherInBody.status).toBe(403);
    expect(await otherInBody.json()).toMatchObject({ type: 'https://lienthong.vn/problems/facility-mismatch' });
    const forNobody = await post(actingService, registrationBody(`${labLocalId}-N`));
    expect(forNobody.status).toBe(403);
    expect(await forNobody.json()).toMatchObject({ reason: 'facility-required' });
    const withoutActFor = await post(await labService('system/Patient.cu'), registrationBody(`${labLocalId}-S`), { 'x-act-for-facility': DISTRICT });
    expect(withoutActFor.status).toBe(403);
    expect(await withoutActFor.json()).toMatchObject({ reason: 'act-for-not-granted' });
    const facilityPosingAsAnother = await post(await token(PROVINCIAL, 'system/Patient.cu'), registrationBody(`${labLocalId}-F`), { 'x-act-for-facility': DISTRICT });
    expect(facilityPosingAsAnother.status).toBe(403);
    expect(await facilityPosingAsAnother.json()).toMatchObject({ reason: 'act-for-not-allowed' });

    // A person (a data steward, no facility) cannot register anywhere, even with the write scope.
    const steward = await issuer.sign({ role: 'data-steward', scope: 'system/Patient.cu', sub: 'steward-1' });
    const asPerson = await post(steward, registrationBody(`${labLocalId}-PERSON`));
    expect(asPerson.status).toBe(403);
    expect(await asPerson.json()).toMatchObject({ status: 403, reason: 'facility-required' });
    // Nothing was written for any refused request.
    const refusedIds = ['-P', '-N', '-S', '-F', '-PERSON'].map((suffix) => `${labLocalId}${suffix}`);
    for (const localId of refusedIds) {
      const query = new URLSearchParams({ localId, facility: DISTRICT });
      const r = await fetch(`${base}/v1/patients?${query.toString()}`, { headers: await headers(DISTRICT, 'system/Patient.rs') });
      expect(((await r.json()) as { items: unknown[] }).items).toEqual([]);
    }
  });

  it('keeps the CCCD out of everything it wrote to stdout and stderr', async () => {
    // The lookups above put the CCCD in query strings (URL-encoded, as real clients send it); the
    // access log must still not show it. Log lines arrive through a pipe: wait for the last request's.
    await expectEventually(() => expect(output.stdout).toContain('/docs-json'), { timeoutMs: 10_000 });
    // The access log did record the lookups (so the check below has something to bite on).
    expect(output.stdout).toContain('/v1/patients?identifier=cccd');
    expect(output.stdout).toContain('/fhir/Patient/$ihe-pix?sourceIdentifier=');
    const leaks = `${output.stdout}\n${output.stderr}`.split('\n').filter((line) => line.includes(CCCD));
    expect(leaks).toEqual([]);
  });

  it('on SIGTERM shuts down cleanly with exit code 0', async () => {
    const running = identity?.service;
    if (!running) throw new Error('not running');
    expect(await running.terminate(20_000)).toBe(0);
    expect(running.child.signalCode).toBeNull();
    expect(`${output.stdout}\n${output.stderr}`).not.toContain(CCCD);
  });
});
