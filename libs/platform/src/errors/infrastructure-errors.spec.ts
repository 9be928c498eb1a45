import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './infrastructure-errors';
import { toProblem } from './problem';

/** The shapes node-postgres, pg-pool, Node's net module and TypeORM really throw. */
const socketError = (code: string, message = `connect ${code} 127.0.0.1:5432`) => Object.assign(new Error(message), { code, syscall: 'connect' });
const sqlError = (code: string, message = 'server said no') => Object.assign(new DatabaseError(message, 0, 'error'), { code });
const viaTypeorm = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET', 'read ECONNRESET')],
    ['an unknown host', socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND db')],
    ['a refused dual-stack connect (AggregateError)', Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), { code: 'ECONNREFUSED' })],
    ['pg: a dropped connection', new Error('Connection terminated unexpectedly')],
    ['pg: the connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg: query_timeout on a silent peer', new Error('Query read timeout')],
    ['pg-pool: no connection within connectionTimeoutMillis', new Error('timeout exceeded when trying to connect')],
    ['pg: a client already broken', new Error('Client has encountered a connection error and is not queryable')],
    ['statement_timeout (57014)', viaTypeorm(sqlError('57014', 'canceling statement due to statement timeout'))],
    ['idle_in_transaction_session_timeout (25P03)', sqlError('25P03')],
    ['the server shutting down (57P01)', viaTypeorm(sqlError('57P01', 'terminating connection due to administrator command'))],
    ['the server starting up (57P03)', sqlError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', sqlError('53300')],
    ['a connection exception (08006)', sqlError('08006')],
    ['a cause chain', new Error('could not register', { cause: viaTypeorm(new Error('Query read timeout')) })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', viaTypeorm(sqlError('23505', 'duplicate key value violates unique constraint'))],
    ['invalid input syntax', viaTypeorm(sqlError('22P02', 'invalid input syntax for type uuid'))],
    ['a missing database (configuration, not an outage)', sqlError('3D000', 'database "x" does not exist')],
    // A SQLSTATE wins over a message that merely looks like a driver's.
    ['a SQL error whose text mentions a timeout', sqlError('P0001', 'Query read timeout')],
    ['a bug that mentions ECONNREFUSED in its text only', new Error('connect ECONNREFUSED 10.0.0.5:5432')],
    ['a domain error', new DomainError(ErrorCode.Conflict)],
    ['not an error at all', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe('the HTTP mapping of a database outage', () => {
  it('is 503 service-unavailable with Retry-After, and no host, SQL or identifier', () => {
    const mapped = toProblem(viaTypeorm(socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432 for 079123456789')), {
      instance: '/v1/patients',
      requestId: 'req-1',
    });
    expect(mapped.unexpected).toBe(false);
    expect(mapped.headers).toEqual({ 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) });
    expect(mapped.problem).toMatchObject({
      type: 'https://lienthong.vn/problems/service-unavailable',
      status: 503,
      code: 'service-unavailable',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      instance: '/v1/patients',
      requestId: 'req-1',
    });
    expect(JSON.stringify(mapped.problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|SELECT|079123456789/);
  });

  it('is 503 for a silent database (the client gave up waiting)', () => {
    expect(toProblem(new Error('Query read timeout')).problem.status).toBe(503);
    expect(toProblem(new Error('timeout exceeded when trying to connect')).problem.status).toBe(503);
  });

  it('leaves other database errors a bare 500', () => {
    expect(toProblem(viaTypeorm(sqlError('22P02'))).problem.status).toBe(500);
  });
});
