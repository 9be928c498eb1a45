import { Writable } from 'node:stream';
import { stdSerializers } from 'pino';
import { createLogger, pinoHttpOptions } from './logger';
import { loggable } from './loggable';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream: { write: (s: string) => stream.write(s) } };
}

/** What typeorm throws when Postgres refuses a statement: the driver's fields plus the bound parameters. */
class QueryFailedError extends Error {}
function queryFailedError(): Error {
  return Object.assign(new QueryFailedError('invalid byte sequence for encoding "UTF8": 0x00'), {
    query: 'INSERT INTO patient_identifier (value_encrypted, blind_index, full_name) VALUES ($1, $2, $3)',
    parameters: [Buffer.from('ciphertext'), new Uint8Array([1, 2, 3]), 'Nguyễn Thị Hồng'],
    driverError: { detail: 'Key (full_name)=(Nguyễn Thị Hồng) already exists.' },
    detail: 'Key (full_name)=(Nguyễn Thị Hồng) already exists.',
    code: '22021',
    severity: 'ERROR',
    routine: 'report_invalid_encoding_int',
  });
}

describe('what reaches the log', () => {
  it('logs a failed query with its diagnosis, not "unable to serialize"', () => {
    const { lines, stream } = capture();
    createLogger('test', 'error', stream).error({ err: queryFailedError(), requestId: 'r-1' }, 'unhandled error');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toMatch(/unable to serialize|circular/);
    const logged = JSON.parse(line) as { err: Record<string, unknown>; requestId: string };
    expect(logged.requestId).toBe('r-1');
    expect(logged.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'invalid byte sequence for encoding "UTF8": 0x00',
      code: '22021',
      severity: 'ERROR',
      routine: 'report_invalid_encoding_int',
      query: expect.stringContaining('INSERT INTO patient_identifier'),
      stack: expect.stringContaining('invalid byte sequence'),
    });
    // The bound values and the database's detail are patient data: never logged.
    expect(line).not.toContain('Nguyễn');
    expect(logged.err).not.toHaveProperty('parameters');
    expect(logged.err).not.toHaveProperty('detail');
  });

  it('logs an error nested anywhere, with its cause chain and aggregated errors', () => {
    const { lines, stream } = capture();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 5432 });
    const outer = new Error('cannot register', { cause: new AggregateError([refused], '') });
    createLogger('test', 'info', stream).error({ context: { failure: outer } }, 'failed');
    const logged = JSON.parse(lines[0] ?? '{}') as { context: { failure: { message: string; cause: { type: string; errors: Record<string, unknown>[] } } } };
    expect(logged.context.failure.message).toBe('cannot register');
    expect(logged.context.failure.cause.type).toBe('AggregateError');
    expect(logged.context.failure.cause.errors[0]).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 5432 });
  });

  it('writes binary values as their size, wherever they are', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).info({ batch: { rows: [{ blindIndex: Buffer.alloc(32) }] }, raw: new ArrayBuffer(4) }, 'binary');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ batch: { rows: [{ blindIndex: '[binary 32 bytes]' }] }, raw: '[binary 4 bytes]' });
  });

  it('passes objects with nothing to change through as they are', () => {
    const object = { a: 1, nested: { list: [1, 'two', { three: 3 }] } };
    expect(loggable(object)).toBe(object);
  });
});

describe('the HTTP logger', () => {
  it('logs an error with its own type and message, as the plain logger does', () => {
    const options = pinoHttpOptions('test', 'info');
    const serialize = options.serializers?.['err'] as ((err: unknown) => unknown) | undefined;
    expect(serialize).toBeDefined();
    // pino-http wraps ours: pino's err serializer runs first.
    const wrapped = (err: unknown) => serialize?.(stdSerializers.err(err as Error));
    const format = options.formatters?.log as (object: Record<string, unknown>) => Record<string, unknown>;
    const { err } = format({ err: queryFailedError() });
    expect(wrapped(err)).toMatchObject({ type: 'QueryFailedError', message: 'invalid byte sequence for encoding "UTF8": 0x00', code: '22021' });
    expect(JSON.stringify(wrapped(err))).not.toContain('Nguyễn');
  });
});
