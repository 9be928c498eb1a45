import { FhirJsonBodies } from '@lienthong/fhir/nest';
import { createService, defineServiceConfig, type Actor } from '@lienthong/platform';
import { createTestIssuer } from '@lienthong/testing';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { type PatientView } from '../../domain/disclosure';
import { CrossReferenceUseCase } from '../../use-cases/cross-reference/cross-reference.use-case';
import { GetFacilityUseCase } from '../../../facilities/use-cases/get-facility/get-facility.use-case';
import { GetPatientUseCase } from '../../use-cases/get-patient/get-patient.use-case';
import { MatchPatientsUseCase } from '../../use-cases/match-patients/match-patients.use-case';
import { SearchPatientsUseCase, type PatientSearch } from '../../use-cases/search-patients/search-patients.use-case';
import { FhirPatientController } from './fhir-patient.controller';

const ID = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e0f';
const view: PatientView = { enterprisePatientId: ID, status: 'active', fullName: 'Lê Văn Tám', sex: 1, identifiers: [], links: [{ facilityCode: '79001', localId: 'BN-1' }], sources: [] };

/** The use cases as the transport sees them: what they were asked, and a scripted answer or refusal. */
const searches: PatientSearch[] = [];
const useCases = [
  { provide: GetPatientUseCase, useValue: { execute: (_actor: Actor, id: string) => (id === ID ? Promise.resolve({ view }) : Promise.reject(new IdentityError(IdentityErrorCode.PatientNotFound, 'no such patient'))) } },
  { provide: SearchPatientsUseCase, useValue: { execute: (_actor: Actor, search: PatientSearch) => (searches.push(search), Promise.resolve({ items: [view], resolved: [] })) } },
  { provide: CrossReferenceUseCase, useValue: { execute: () => Promise.reject(new IdentityError(IdentityErrorCode.CrossFacilityForbidden, '$ihe-pix needs the cross-reference scope')) } },
  {
    provide: MatchPatientsUseCase,
    useValue: {
      execute: (_actor: Actor, input: { fullName: string }) =>
        input.fullName === 'Lê Văn Tám' ? Promise.reject(new Error('matcher exploded on 079185000123')) : Promise.resolve([{ view, weight: 12, grade: 'probable' }]),
    },
  },
  { provide: GetFacilityUseCase, useValue: { execute: () => Promise.reject(new IdentityError(IdentityErrorCode.FacilityNotFound, 'no facility')) } },
];

const matchBody = (fullName: string) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: fullName }] } }] });

@Module({ controllers: [FhirPatientController], providers: [...useCases, FhirJsonBodies] })
class FhirOnlyModule {}

describe('FHIR Patient endpoints (in process, use cases faked)', () => {
  const issuer = createTestIssuer();
  let app: NestFastifyApplication;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const service = await createService(FhirOnlyModule, {
      config: defineServiceConfig({ name: 'identity-fhir-test', port: 0 }),
      env: { AUTH_PUBLIC_KEY: issuer.publicKeyPem, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, LOG_LEVEL: 'silent' },
    });
    app = service.app;
    await app.getHttpAdapter().getInstance().ready();
    auth = { authorization: `Bearer ${await issuer.sign({ facility: '79001', scope: 'system/Patient.rs' })}`, host: 'hie.example.vn' };
  });

  afterAll(async () => {
    await app.close();
  });

  it('search answers a searchset Bundle with absolute URLs, as application/fhir+json', async () => {
    const response = await app.inject({ url: '/fhir/Patient?identifier=https://lienthong.vn/fhir/sid/local/79001|BN-1', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(searches).toEqual([{ by: 'local-id', facilityCode: '79001', localId: 'BN-1' }]);
    expect(response.json()).toMatchObject({
      resourceType: 'Bundle',
      total: 1,
      link: [{ relation: 'self', url: 'http://hie.example.vn/fhir/Patient?identifier=https://lienthong.vn/fhir/sid/local/79001|BN-1' }],
      entry: [{ fullUrl: `http://hie.example.vn/fhir/Patient/${ID}`, resource: { resourceType: 'Patient', id: ID }, search: { mode: 'match' } }],
    });
  });

  it('identity refusals become OperationOutcomes with the status and code problem+json would carry', async () => {
    const bad = await app.inject({ url: '/fhir/Patient?identifier=nonsense', headers: auth });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(bad.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', expression: ['http.identifier'] }] });

    const missing = await app.inject({ url: '/fhir/Patient/01936f3e-0000-7000-8000-000000000000', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ issue: [{ code: 'not-found', diagnostics: 'no such patient' }] });

    const pix = await app.inject({ url: '/fhir/Patient/$ihe-pix?sourceIdentifier=cccd|079185000123', headers: auth });
    expect(pix.statusCode).toBe(403);
    expect(pix.json()).toMatchObject({ issue: [{ code: 'forbidden', details: { coding: [{ code: 'forbidden' }] } }] });
  });

  it('an unexpected failure is a bare 500 OperationOutcome, the identifier kept out of it', async () => {
    const response = await app.inject({ method: 'POST', url: '/fhir/Patient/$match', headers: auth, payload: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ text: 'Lê Văn Tám' }] } }] } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'exception', diagnostics: 'Internal server error' }] });
    expect(response.body).not.toContain('079185000123');
  });

  it('$match accepts application/fhir+json (415 before), the same body as application/json', async () => {
    for (const contentType of ['application/fhir+json', 'application/fhir+json; charset=utf-8', 'application/json']) {
      const response = await app.inject({ method: 'POST', url: '/fhir/Patient/$match', headers: { ...auth, 'content-type': contentType }, payload: matchBody('Trần Thị Hoa') });
      expect({ contentType, status: response.statusCode }).toEqual({ contentType, status: 200 });
      expect(response.json()).toMatchObject({ resourceType: 'Bundle', entry: [{ resource: { id: ID }, search: { score: expect.any(Number) } }] });
    }
  });

  it('a malformed or oversized fhir+json body is refused exactly like a JSON one', async () => {
    const send = (contentType: string, payload: string) => app.inject({ method: 'POST', url: '/fhir/Patient/$match', headers: { ...auth, 'content-type': contentType }, payload });
    // Everything but the request id, which differs per request.
    const answer = (r: Awaited<ReturnType<typeof send>>) => ({ status: r.statusCode, type: r.headers['content-type'], body: r.body.replace(/"requestId":"[^"]*"/, '') });
    for (const payload of ['{"resourceType": "Parameters",', '{"__proto__": {"admin": true}}', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })]) {
      const json = answer(await send('application/json', payload));
      expect(json.status).toBeGreaterThanOrEqual(400);
      expect(json.status).toBeLessThan(500);
      expect(answer(await send('application/fhir+json', payload))).toEqual(json);
    }
  });

  it('GET /fhir/metadata is a CapabilityStatement, without a token, listing what is served and the scopes', async () => {
    const response = await app.inject({ url: '/fhir/metadata', headers: { host: 'hie.example.vn' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const statement = response.json<{ rest: { security: { description: string }; resource: { type: string; interaction: { code: string }[]; operation: { name: string }[] }[] }[] }>();
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', kind: 'instance', fhirVersion: '4.0.1', implementation: { url: 'http://hie.example.vn/fhir' } });
    const [patient] = statement.rest[0]?.resource ?? [];
    expect(patient?.interaction.map((i) => i.code)).toEqual(['read', 'search-type']);
    expect(patient?.operation.map((o) => o.name)).toEqual(['ihe-pix', 'match']);
    expect(statement.rest[0]?.security.description).toContain('system/Patient.rs');
    expect(statement.rest[0]?.security.description).toContain('lienthong/patient.crossref');
  });

  it('an unknown /fhir route is a 404 OperationOutcome (was problem+json), with or without a token', async () => {
    for (const [method, url, headers] of [
      ['GET', '/fhir/Observation', auth],
      ['DELETE', `/fhir/Patient/${ID}`, auth],
      ['GET', '/fhir/Nothing/here?identifier=cccd|079185000123', {}],
    ] as const) {
      const response = await app.inject({ method, url, headers });
      expect({ url, status: response.statusCode, type: response.headers['content-type'] }).toEqual({ url, status: 404, type: expect.stringMatching(/^application\/fhir\+json/) });
      expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      expect(response.body).not.toContain('079185000123');
    }
  });
});
