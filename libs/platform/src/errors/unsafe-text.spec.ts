import { z } from 'zod';
import { ValidationError } from './domain-error';
import { toProblem } from './problem';
import { findUnsafeText } from './unsafe-text';
import { ZodValidationPipe } from './zod-validation.pipe';

describe('unsafe text', () => {
  it('refuses NUL and other C0 controls in body strings, naming each by pointer', () => {
    const body = { fullName: 'Nguyễn\u0000Văn', address: { line: 'Số 1 \u001b[2J' }, identifiers: [{ value: 'a\u0007' }] };
    expect(findUnsafeText(body, 'body')).toEqual([
      { pointer: '#/fullName', rule: 'control-character', message: 'must not contain control characters (U+0000)' },
      { pointer: '#/address/line', rule: 'control-character', message: 'must not contain control characters (U+001B)' },
      { pointer: '#/identifiers/0/value', rule: 'control-character', message: 'must not contain control characters (U+0007)' },
    ]);
  });

  it('lets free text in a body span lines, but not query or path parameters', () => {
    expect(findUnsafeText({ line: 'Số 12\r\nngõ 34\tPhố Huế' }, 'body')).toEqual([]);
    expect(findUnsafeText({ localId: 'BN1\n' }, 'query')).toEqual([{ field: 'localId', rule: 'control-character', message: expect.stringContaining('U+000A') }]);
    expect(findUnsafeText('abc\t', 'param', 'id')).toEqual([{ field: 'id', rule: 'control-character', message: expect.stringContaining('U+0009') }]);
  });

  it('refuses DEL and C1 controls, which no one types', () => {
    expect(findUnsafeText({ a: 'x\u007f' }, 'body')).toHaveLength(1);
    expect(findUnsafeText({ a: 'x\u0085' }, 'body')).toHaveLength(1);
  });

  it('refuses lone surrogates anywhere, and accepts well-formed pairs', () => {
    expect(findUnsafeText({ fullName: 'Nguyễn \ud800 Hồng' }, 'body')).toEqual([{ pointer: '#/fullName', rule: 'lone-surrogate', message: expect.any(String) }]);
    expect(findUnsafeText({ fullName: 'x\udc00' }, 'body')).toHaveLength(1);
    expect(findUnsafeText({ identifier: 'cccd|\ud83d' }, 'query')).toEqual([{ field: 'identifier', rule: 'lone-surrogate', message: expect.any(String) }]);
    expect(findUnsafeText({ note: 'Hồng 😀 𠀀' }, 'body')).toEqual([]);
  });

  it('refuses bidirectional embeddings, overrides and isolates (Trojan Source), and keeps the plain marks', () => {
    expect(findUnsafeText({ reason: 'Cấp cứu \u202e hôn mê' }, 'body')).toEqual([{ pointer: '#/reason', rule: 'bidi-control', message: expect.stringContaining('U+202E') }]);
    expect(findUnsafeText({ q: 'a\u2066b' }, 'query')).toEqual([{ field: 'q', rule: 'bidi-control', message: expect.stringContaining('U+2066') }]);
    expect(findUnsafeText({ note: 'abc \u200e def \u200f' }, 'body')).toEqual([]);
  });

  it('checks property names too, and names the object holding a bad one', () => {
    expect(findUnsafeText({ address: { 'li\u0000ne': 'x' } }, 'body')).toEqual([
      { pointer: '#/address', rule: 'control-character', message: expect.stringContaining('a property name') },
    ]);
  });

  it('never echoes the value, which may be patient data', () => {
    const [issue] = findUnsafeText({ fullName: 'Nguyễn Văn A\u0000079123456789' }, 'body');
    expect(JSON.stringify(issue)).not.toMatch(/Nguyễn|079123456789/);
  });

  it('survives deep nesting and bounds the list it returns', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeText(deep, 'body')).toHaveLength(1);
    expect(findUnsafeText(Array.from({ length: 1000 }, () => '\u0000'), 'body')).toHaveLength(20);
  });

  it('leaves numbers, booleans, null and clean strings alone', () => {
    expect(findUnsafeText({ a: 1, b: true, c: null, d: ['ok', { e: 'Hà Nội' }] }, 'body')).toEqual([]);
    expect(findUnsafeText(undefined, 'query')).toEqual([]);
  });
});

describe('the global validation pipe', () => {
  const pipe = new ZodValidationPipe();

  it('refuses unsafe text with a 422 naming the field before any schema runs, schema or not', () => {
    const withSchema = new ZodValidationPipe(z.object({ fullName: z.string().min(1) }));
    for (const candidate of [pipe, withSchema]) {
      try {
        candidate.transform({ fullName: 'a\u0000' }, { type: 'body' });
        throw new Error('expected a ValidationError');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        const { problem } = toProblem(error);
        expect(problem).toMatchObject({ status: 422, code: 'validation-error', errors: [{ pointer: '#/fullName', rule: 'control-character' }] });
      }
    }
  });

  it('names query and path parameters by name', () => {
    expect(() => pipe.transform({ localId: 'BN\u0000' }, { type: 'query' })).toThrow(ValidationError);
    try {
      pipe.transform('0191b2c4\u0000', { type: 'param', data: 'id' });
    } catch (error) {
      expect((error as ValidationError).errors).toEqual([{ field: 'id', rule: 'control-character', message: expect.any(String) }]);
    }
  });

  it('leaves custom parameters (the actor, headers) to their decorators', () => {
    expect(pipe.transform('a\u0000', { type: 'custom' })).toBe('a\u0000');
  });
});
