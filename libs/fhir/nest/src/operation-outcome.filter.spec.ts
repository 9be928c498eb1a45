import { createTestIssuer } from '@lienthong/testing';
import { DomainError, ErrorCode, RequireScopes, ValidationError, createService, defineServiceConfig } from '@lienthong/platform';
import { Body, Controller, Get, HttpCode, Module, NotFoundException, Param, Post, UseFilters } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FhirOperationError, searchSetBundle, type fhir4, type FhirUrls } from '@lienthong/fhir';
import { FhirJsonBodies } from './fhir-json';
import { RequestFhirUrls } from './fhir-urls.decorator';
import { OperationOutcomeFilter } from './operation-outcome.filter';

const CCCD = '079185000123';

/** A service's own coded error, mapped onto the platform's codes the way identity maps PatientError. */
class WardError extends Error {}

@Controller('fhir')
@UseFilters(new OperationOutcomeFilter((e) => (e instanceof WardError ? new DomainError(ErrorCode.Conflict, { detail: e.message }) : e)))
class WardController {
  @Get('Patient')
  @RequireScopes('system/Patient.rs')
  search(@RequestFhirUrls('/fhir') urls: FhirUrls): fhir4.Bundle<fhir4.Patient> {
    return searchSetBundle(urls, [{ resource: { resourceType: 'Patient', id: 'p-1', active: true } }]);
  }

  @Get('Patient/:case')
  @RequireScopes('system/Patient.rs')
  fail(@Param('case') which: string): never {
    switch (which) {
      case 'invalid':
        throw new ValidationError([
          { pointer: '#/identifier/0/value', rule: 'cccd.format', message: 'CCCD is 12 digits' },
          { field: 'identifier', rule: 'fhir.token', message: 'identifier must be system|value' },
        ]);
      case 'ward':
        throw new WardError('bed already taken');
      case 'nest':
        throw new NotFoundException('Cannot GET /fhir/Nothing');
      case 'prescribed':
        throw new FhirOperationError(403, 'code-invalid', 'targetSystem not found');
      default:
        throw new Error(`connect ECONNREFUSED 10.0.0.5:5432 while reading ${CCCD}`);
    }
  }
}

@Controller('fhir')
class EchoController {
  @Post('Parameters/$echo')
  @HttpCode(200)
  @RequireScopes('system/Patient.rs')
  echo(@Body() body: unknown): unknown {
    return body;
  }
}

// FhirJsonBodies twice: two modules may each ask for fhir+json bodies.
@Module({ controllers: [WardController, EchoController], providers: [FhirJsonBodies, { provide: 'again', useClass: FhirJsonBodies }] })
class WardModule {}

describe('OperationOutcomeFilter and RequestFhirUrls (in process)', () => {
  const issuer = createTestIssuer();
  const logs: string[] = [];
  let app: NestFastifyApplication;
  let auth: { authorization: string };

  beforeAll(async () => {
    const service = await createService(WardModule, {
      config: defineServiceConfig({ name: 'ward-service', port: 0 }),
      env: { AUTH_PUBLIC_KEY: issuer.publicKeyPem, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, LOG_LEVEL: 'info' },
      logDestination: { write: (line: string) => void logs.push(line) },
    });
    app = service.app;
    await app.getHttpAdapter().getInstance().ready();
    auth = { authorization: `Bearer ${await issuer.sign({ facility: '79001', scope: 'system/Patient.rs' })}` };
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, headers: Record<string, string> = auth) => app.inject({ url, headers });

  it('a validation error: 422 fhir+json, one issue per rule with FHIRPath and the stable code', async () => {
    const response = await get('/fhir/Patient/invalid');
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const details = { coding: [{ system: 'https://lienthong.vn/problems', code: 'validation-error' }], text: 'Validation failed' };
    expect(response.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details, diagnostics: 'cccd.format: CCCD is 12 digits', expression: ['identifier[0].value'] },
        { severity: 'error', code: 'invalid', details, diagnostics: 'fhir.token: identifier must be system|value', expression: ['http.identifier'] },
      ],
    });
  });

  it("a service's own error goes through its translation", async () => {
    const response = await get('/fhir/Patient/ward');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ issue: [{ code: 'conflict', diagnostics: 'bed already taken', details: { coding: [{ code: 'conflict' }] } }] });
  });

  it('a framework HttpException keeps its status and message', async () => {
    const response = await get('/fhir/Patient/nest');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ issue: [{ code: 'not-found', diagnostics: 'Cannot GET /fhir/Nothing' }] });
  });

  it('an unknown error is a bare 500: internals reach the log, never the client', async () => {
    const response = await get('/fhir/Patient/boom');
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(response.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'exception',
          details: { coding: [{ system: 'https://lienthong.vn/problems', code: 'internal-error' }], text: 'Internal server error' },
          diagnostics: 'Internal server error',
        },
      ],
    });
    expect(response.body).not.toMatch(/ECONNREFUSED|5432/);
    expect(logs.join('\n')).toContain('ECONNREFUSED');
  });

  it('refusals by the auth guard are OperationOutcomes too, keeping WWW-Authenticate', async () => {
    const response = await get('/fhir/Patient', {});
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(response.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'login' }] });
  });

  it('a searchset Bundle carries absolute URLs derived from the request', async () => {
    const response = await get('/fhir/Patient?identifier=cccd%7C1', { ...auth, host: 'hie.example.vn:8443' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 1,
      link: [{ relation: 'self', url: 'http://hie.example.vn:8443/fhir/Patient?identifier=cccd%7C1' }],
      entry: [{ fullUrl: 'http://hie.example.vn:8443/fhir/Patient/p-1', resource: { resourceType: 'Patient', id: 'p-1', active: true }, search: { mode: 'match' } }],
    });
  });

  it('an answer an operation prescribes (FhirOperationError) is rendered to the letter', async () => {
    const response = await get('/fhir/Patient/prescribed');
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(response.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'code-invalid', diagnostics: 'targetSystem not found' }] });
  });

  it('FhirJsonBodies: application/fhir+json bodies parse like JSON, with the same limit and errors', async () => {
    const post = (contentType: string, payload: string) => app.inject({ method: 'POST', url: '/fhir/Parameters/$echo', headers: { ...auth, 'content-type': contentType }, payload });
    const ok = await post('application/fhir+json', '{"resourceType":"Parameters"}');
    expect({ status: ok.statusCode, body: ok.json<unknown>() }).toEqual({ status: 200, body: { resourceType: 'Parameters' } });
    for (const payload of ['{"resourceType":', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), '{"constructor":{"prototype":{}}}']) {
      const [json, fhirJson] = [await post('application/json', payload), await post('application/fhir+json', payload)];
      expect(json.statusCode).toBeGreaterThanOrEqual(400);
      expect({ status: fhirJson.statusCode, type: fhirJson.headers['content-type'] }).toEqual({ status: json.statusCode, type: json.headers['content-type'] });
    }
  });
});
