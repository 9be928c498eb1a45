import { createTestIssuer, type TestTokenClaims } from '@lienthong/testing';
import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createService } from '../bootstrap/create-service';
import { defineServiceConfig } from '../config/service-config';
import { actingFacility, auditActor, type Actor } from './actor';
import { CurrentActor, RequireFacility, RequireScopes } from './auth.decorators';

@Controller('v1/patients')
class PatientsController {
  @Post()
  @RequireScopes('system/Patient.c')
  @RequireFacility()
  register(@CurrentActor() actor: Actor) {
    return { registeredAt: actingFacility(actor), audit: auditActor(actor) };
  }

  @Get('stats')
  @RequireScopes('system/Patient.s')
  stats(@CurrentActor() actor: Actor) {
    return { kind: actor.kind };
  }
}

@Module({ controllers: [PatientsController] })
class PatientsModule {}

describe('AuthGuard with @RequireFacility()', () => {
  const issuer = createTestIssuer();
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const service = await createService(PatientsModule, {
      config: defineServiceConfig({ name: 'guard-spec-service', port: 0 }),
      env: { AUTH_PUBLIC_KEY: issuer.publicKeyPem, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, LOG_LEVEL: 'silent' },
      logDestination: { write: () => undefined },
    });
    app = service.app;
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  async function call(method: 'GET' | 'POST', url: string, claims: TestTokenClaims, headers: Record<string, string> = {}) {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${await issuer.sign(claims)}`, ...headers } });
    return { status: response.statusCode, contentType: response.headers['content-type'], body: response.json<Record<string, unknown>>() };
  }

  const analyst = { role: 'provincial-analyst', province: '79', scope: 'system/Patient.cs' } as const;
  const lab = { service: 'lab-results-service', sub: 'svc-lab', scope: 'lienthong/act-for system/Patient.cs' } as const;

  it('refuses a person on a route that needs a facility with a coded 403 problem', async () => {
    const response = await call('POST', '/v1/patients', analyst);
    expect(response.status).toBe(403);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'https://lienthong.vn/problems/forbidden',
      code: 'forbidden',
      reason: 'facility-required',
      detail: expect.stringContaining('facility'),
    });
  });

  it('lets the same person through where no facility is needed', async () => {
    expect(await call('GET', '/v1/patients/stats', analyst)).toMatchObject({ status: 200, body: { kind: 'person' } });
  });

  it('registers for the facility a service acts for, and audits both', async () => {
    const response = await call('POST', '/v1/patients', lab, { 'x-act-for-facility': '01901', 'x-request-id': 'lab-retry-3' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      registeredAt: '01901',
      audit: expect.objectContaining({
        kind: 'service',
        subject: 'svc-lab',
        service: 'lab-results-service',
        facilityCode: '01901',
        requestId: 'lab-retry-3',
      }),
    });
  });

  it('refuses a service that names no facility on a facility route', async () => {
    expect(await call('POST', '/v1/patients', lab)).toMatchObject({ status: 403, body: { reason: 'facility-required' } });
  });

  it('refuses a service without lienthong/act-for that tries to act', async () => {
    const response = await call('POST', '/v1/patients', { service: 'analytics-service', scope: 'system/Patient.c' }, { 'x-act-for-facility': '01901' });
    expect(response).toMatchObject({ status: 403, body: { code: 'insufficient-scope', reason: 'act-for-not-granted', requiredScopes: ['lienthong/act-for'] } });
  });

  it('refuses a facility naming another facility, and serves it as itself', async () => {
    const his = { facility: '79001', scope: 'system/Patient.c' } as const;
    expect(await call('POST', '/v1/patients', his, { 'x-act-for-facility': '01901' })).toMatchObject({
      status: 403,
      body: { code: 'facility-mismatch', reason: 'act-for-not-allowed' },
    });
    expect(await call('POST', '/v1/patients', his)).toMatchObject({ status: 201, body: { registeredAt: '79001' } });
  });

  it('answers 422 for a malformed act-for header', async () => {
    expect(await call('POST', '/v1/patients', lab, { 'x-act-for-facility': '1901' })).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'X-Act-For-Facility', rule: 'pattern' }] },
    });
  });
});
