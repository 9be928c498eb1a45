import { ConfigError } from '../config/config';
import { bootFailureLine, maskUrlCredentials } from './create-service';

describe('the boot-failure line', () => {
  const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

  it('is one JSON line naming the error, its code and its cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const line = bootFailureLine(new Error('could not open the DataSource', { cause: refused }), 'identity-service');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(parse(line)).toMatchObject({
      level: 'fatal',
      service: 'identity-service',
      msg: 'service failed to start',
      err: { type: 'Error', message: 'could not open the DataSource', stack: expect.any(String), cause: { code: 'ECONNREFUSED' } },
    });
  });

  it('lists what a refused dual-stack connect (an AggregateError with no message) is made of', () => {
    const error = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })]);
    expect(parse(bootFailureLine(error))).toMatchObject({ err: { type: 'AggregateError', errors: [{ code: 'ECONNREFUSED' }] } });
  });

  it('names every configuration problem by variable', () => {
    const line = bootFailureLine(new ConfigError([{ variable: 'DB_STATEMENT_TIMEOUT_MS', message: 'too small (got "0")' }]));
    expect(parse(line)).toMatchObject({ msg: 'invalid configuration', issues: [{ variable: 'DB_STATEMENT_TIMEOUT_MS' }] });
  });

  it('masks passwords in URLs and identifiers anywhere in it', () => {
    const line = bootFailureLine(new Error('cannot use postgres://lt_identity:hunter2@db:5432/lt_identity for 079123456789'));
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('079123456789');
    expect(line).toContain('postgres://lt_identity:***@db:5432');
  });

  it('masks URL credentials without a user name too, and leaves URLs without any alone', () => {
    expect(maskUrlCredentials('redis://:s3cret@cache:6379 and http://example.org/a')).toBe('redis://:***@cache:6379 and http://example.org/a');
  });
});
