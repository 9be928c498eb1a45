import { createTestIssuer } from '@lienthong/testing';
import { Body, Controller, Get, HttpCode, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createZodDto } from 'nestjs-zod/dto';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, Public, RequireScopes } from '../auth/auth.decorators';
import { defineServiceConfig } from '../config/service-config';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { createService } from './create-service';

const CCCD = '079123456789';

class PatientDto extends createZodDto(z.object({ cccd: z.string().regex(/^\d{12}$/), name: z.string().min(1) })) {}

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  @RequireScopes('system/Thing.r')
  get(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return { id, actor };
  }

  @Post()
  @HttpCode(201)
  @RequireScopes('system/Thing.c')
  create(@Body() body: PatientDto) {
    return { ok: body.name.length > 0 };
  }

  @Get('boom/now')
  @Public()
  boom(): never {
    throw new Error(`database exploded while reading ${CCCD}`);
  }

  @Get('conflict/now')
  @Public()
  conflict(): never {
    throw new DomainError(ErrorCode.Conflict, { detail: 'already registered' });
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('createService (in process)', () => {
  const issuer = createTestIssuer();
  const logs: string[] = [];
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const service = await createService(ThingsModule, {
      config: defineServiceConfig({ name: 'things-service', port: 0 }),
      env: { AUTH_PUBLIC_KEY: issuer.publicKeyPem, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience, LOG_LEVEL: 'info' },
      logDestination: { write: (line: string) => void logs.push(line) },
    });
    app = service.app;
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  const token = (scope: string) => issuer.sign({ facility: '79001', scope, sub: 'his-79001' });

  it('answers liveness and readiness without a token', async () => {
    expect((await app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: {} });
  });

  it('401 problem+json with WWW-Authenticate without a token or with a bad one', async () => {
    const none = await app.inject({ url: '/v1/things/1' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json()).toMatchObject({ type: 'https://lienthong.vn/problems/unauthorized', status: 401, instance: '/v1/things/1' });

    const expired = await app.inject({
      url: '/v1/things/1',
      headers: { authorization: `Bearer ${await issuer.sign({ facility: '79001', scope: 'system/Thing.r', ttlSeconds: -120 })}` },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('403 with the wrong scope, 200 with the right one (SMART .rs grants .r)', async () => {
    const wrong = await app.inject({ url: '/v1/things/1', headers: { authorization: `Bearer ${await token('system/Other.rs')}` } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'insufficient-scope', requiredScopes: ['system/Thing.r'] });

    const right = await app.inject({
      url: '/v1/things/42',
      headers: { authorization: `Bearer ${await token('system/Thing.rs')}`, 'x-purpose-of-use': 'referral' },
    });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toEqual({
      id: '42',
      actor: { kind: 'facility', subject: 'his-79001', facilityCode: '79001', scopes: ['system/Thing.rs'], purposeOfUse: 'referral', requestId: expect.any(String) },
    });
  });

  it('defaults the purpose of use to treatment and rejects unknown ones', async () => {
    const auth = { authorization: `Bearer ${await token('system/*.cruds')}` };
    expect((await app.inject({ url: '/v1/things/1', headers: auth })).json()).toMatchObject({ actor: { purposeOfUse: 'treatment' } });
    const bad = await app.inject({ url: '/v1/things/1', headers: { ...auth, 'x-purpose-of-use': 'marketing' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ errors: [{ field: 'X-Purpose-Of-Use', rule: 'enum' }] });
  });

  it('422 problem+json with pointers for an invalid body; the CCCD stays out of the logs', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${await token('system/Thing.c')}`, 'x-request-id': 'req-validation-1' },
      payload: { cccd: `${CCCD}0`, name: '' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['x-request-id']).toBe('req-validation-1');
    expect(response.json()).toMatchObject({
      type: 'https://lienthong.vn/problems/validation-error',
      requestId: 'req-validation-1',
      errors: [
        { pointer: '#/cccd', rule: 'format:regex' },
        { pointer: '#/name', rule: 'too_small' },
      ],
    });
  });

  it('404 for unknown routes, in the same format', async () => {
    const response = await app.inject({ url: `/v1/nothing/${CCCD}` });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'not-found', status: 404 });
  });

  it('a URL the router cannot decode or a path parameter over its limit: problem+json too, without echoing the path', async () => {
    const badUrl = await app.inject({ url: '/v1/things/%FF%FE' });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badUrl.json()).toMatchObject({ code: 'bad-request', status: 400, requestId: expect.any(String) });
    expect(badUrl.body).not.toContain('%FF');

    const long = await app.inject({ url: `/v1/things/${'1'.repeat(600)}` });
    expect(long.statusCode).toBe(414);
    expect(long.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(long.json()).toMatchObject({ code: 'uri-too-long', status: 414 });
    expect(long.body).not.toContain('1'.repeat(100));
  });

  it('logs the purpose of use as a purpose of the vocabulary or "invalid", never the header as sent', async () => {
    const auth = { authorization: `Bearer ${await token('system/Thing.r')}` };
    await app.inject({ url: '/v1/things/1', headers: { ...auth, 'x-request-id': 'req-purpose-1', 'x-purpose-of-use': `marketing${'x'.repeat(2000)}` } });
    const line = logs.find((l) => l.includes('req-purpose-1') && l.includes('"res"')) ?? '';
    expect(line).toContain('"purposeOfUse":"invalid"');
    expect(line).not.toContain('marketing');
  });

  it('500 without internals for unexpected errors; domain errors keep their status', async () => {
    const boom = await app.inject({ url: '/v1/things/boom/now' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toMatch(/exploded|079123456789/);
    expect((await app.inject({ url: '/v1/things/conflict/now' })).json()).toMatchObject({ status: 409, detail: 'already registered' });
    // The unexpected error is logged (with its stack) but scrubbed.
    expect(logs.join('')).toContain('database exploded');
  });

  it('exposes Prometheus metrics labelled by route template, never the raw path', async () => {
    await app.inject({ url: `/v1/things/${CCCD}`, headers: { authorization: `Bearer ${await token('system/Thing.r')}` } });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).toMatch(/http_server_request_duration_seconds_bucket\{.*route="\/v1\/things\/:id".*status_code="200"/);
    expect(metrics.body).toContain('route="unmatched"');
    expect(metrics.body).not.toContain(CCCD);
  });

  it('serves the OpenAPI document with the bearer scheme', async () => {
    const doc = (await app.inject({ url: '/docs-json' })).json<{ openapi: string; paths: Record<string, unknown>; components: { securitySchemes: object } }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/things/{id}', '/v1/things']));
    expect(doc.paths).not.toHaveProperty('/health/ready');
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
  });

  it('wrote JSON logs with request ids and no identifier anywhere', () => {
    const output = logs.join('');
    expect(output).toContain('req-validation-1');
    expect(output).not.toContain(CCCD);
    for (const line of logs) expect(() => JSON.parse(line)).not.toThrow();
  });
});
