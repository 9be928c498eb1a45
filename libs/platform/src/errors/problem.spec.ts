import { BadRequestException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, ValidationError } from './domain-error';
import { ErrorCode, errorCodeInfo } from './error-code';
import { toProblem } from './problem';
import { toJsonPointer, ZodValidationPipe } from './zod-validation.pipe';

describe('problem mapping', () => {
  it('gives every code a status and a stable type URI', () => {
    for (const code of Object.values(ErrorCode)) {
      const { problem } = toProblem(new DomainError(code));
      expect(problem.type).toBe(`https://lienthong.vn/problems/${code}`);
      expect(problem.status).toBe(errorCodeInfo(code).status);
      expect(problem.title).toBe(errorCodeInfo(code).title);
    }
  });

  it('maps a domain error with detail, instance, request id, headers and extensions', () => {
    const error = new DomainError(ErrorCode.InsufficientScope, {
      detail: 'needs system/Patient.r',
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
      extensions: { requiredScopes: ['system/Patient.r'] },
    });
    const mapped = toProblem(error, { instance: '/v1/patients', requestId: 'req-1' });
    expect(mapped).toEqual({
      problem: {
        type: 'https://lienthong.vn/problems/insufficient-scope',
        title: 'Insufficient scope',
        status: 403,
        detail: 'needs system/Patient.r',
        instance: '/v1/patients',
        code: 'insufficient-scope',
        requestId: 'req-1',
        requiredScopes: ['system/Patient.r'],
      },
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
      unexpected: false,
    });
  });

  it('lets extensions not override the standard members', () => {
    const { problem } = toProblem(new DomainError(ErrorCode.Conflict, { extensions: { status: 200, type: 'x' } }));
    expect(problem.status).toBe(409);
    expect(problem.type).toBe('https://lienthong.vn/problems/conflict');
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({ status: 404, code: 'not-found', detail: 'Cannot GET /x' });
    expect(toProblem(new BadRequestException()).problem).toMatchObject({ status: 400, code: 'bad-request' });
  });

  it('hides unknown errors behind a bare 500', () => {
    const mapped = toProblem(new Error('connect ECONNREFUSED 10.0.0.5:5432 for patient 079123456789'));
    expect(mapped.unexpected).toBe(true);
    expect(mapped.problem).toEqual({
      type: 'https://lienthong.vn/problems/internal-error',
      title: 'Internal server error',
      status: 500,
      code: 'internal-error',
    });
    expect(JSON.stringify(mapped.problem)).not.toMatch(/ECONNREFUSED|079123456789/);
  });

  it('passes Fastify client errors through with their status', () => {
    const error = Object.assign(new Error('Body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(toProblem(error).problem).toMatchObject({ status: 400, detail: 'Body is not valid JSON' });
  });
});

describe('zod validation', () => {
  const schema = z.object({
    name: z.string().min(1),
    identifiers: z.array(z.object({ system: z.string(), value: z.string().regex(/^\d{12}$/) })),
    'a/b': z.number().optional(),
  });
  const pipe = new ZodValidationPipe(schema);

  it('reports each problem in the body as a JSON pointer', () => {
    try {
      pipe.transform({ name: '', identifiers: [{ system: 'cccd', value: 'abc' }], 'a/b': 'x' }, { type: 'body' });
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const { problem } = toProblem(error);
      expect(problem.status).toBe(422);
      expect(problem.type).toBe('https://lienthong.vn/problems/validation-error');
      expect(problem.errors).toEqual([
        { pointer: '#/name', rule: 'too_small', message: expect.any(String) },
        { pointer: '#/identifiers/0/value', rule: 'format:regex', message: expect.any(String) },
        { pointer: '#/a~1b', rule: 'invalid_type', message: expect.any(String) },
      ]);
    }
  });

  it('names query parameters as fields', () => {
    const query = new ZodValidationPipe(z.object({ limit: z.coerce.number().max(100) }));
    expect(() => query.transform({ limit: '500' }, { type: 'query' })).toThrow(ValidationError);
    try {
      query.transform({ limit: '500' }, { type: 'query' });
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ field: 'limit', rule: 'too_big', message: expect.any(String) }]);
    }
  });

  it('returns the parsed value and leaves values without a schema alone', () => {
    expect(pipe.transform({ name: 'a', identifiers: [] }, { type: 'body' })).toEqual({ name: 'a', identifiers: [] });
    expect(new ZodValidationPipe().transform('raw', { type: 'param', metatype: String })).toBe('raw');
  });

  it('escapes pointer segments (RFC 6901)', () => {
    expect(toJsonPointer(['a/b', 'c~d', '0'])).toBe('#/a~1b/c~0d/0');
  });
});
