import { deadLetterHeaders, describeDeadLetterReason, DLQ_HEADERS, errorSummary, isTransientInfrastructureError, type DeadLetterReason } from './dead-letter';

const info = {
  reason: 'handler-failed' as const,
  error: new TypeError('boom'),
  topic: 'identity.patient.v1',
  partition: 7,
  offset: '12345',
  consumer: 'records-service',
  failedAt: new Date('2026-01-02T03:04:05.000Z'),
  attempts: 5,
};

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds where, why, who and when', () => {
    const original = { ce_id: Buffer.from('abc'), ce_type: 'vn.lienthong.x.y.z', traceparent: 'tp' };
    const headers = deadLetterHeaders(original, info);
    expect(headers).toEqual({
      ce_id: Buffer.from('abc'),
      ce_type: 'vn.lienthong.x.y.z',
      traceparent: 'tp',
      'dlq-reason': 'handler-failed',
      'dlq-error': 'TypeError: boom',
      'dlq-original-topic': 'identity.patient.v1',
      'dlq-original-partition': '7',
      'dlq-original-offset': '12345',
      'dlq-consumer': 'records-service',
      'dlq-failed-at': '2026-01-02T03:04:05.000Z',
      'dlq-attempts': '5',
    });
  });

  it('replaces the dlq headers of a message that was dead-lettered before', () => {
    const headers = deadLetterHeaders({ [DLQ_HEADERS.reason]: 'schema', [DLQ_HEADERS.attempts]: '0' }, info);
    expect(headers[DLQ_HEADERS.reason]).toBe('handler-failed');
    expect(headers[DLQ_HEADERS.attempts]).toBe('5');
  });

  it('copes with a message without headers', () => {
    expect(deadLetterHeaders(undefined, info)[DLQ_HEADERS.originalOffset]).toBe('12345');
  });
});

describe('errorSummary', () => {
  it('cuts long errors', () => {
    const summary = errorSummary(new Error('x'.repeat(5_000)), 100);
    expect(summary).toHaveLength(100);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('describes non-Error throwables', () => {
    expect(errorSummary('plain')).toBe('plain');
    expect(errorSummary({ code: 1 })).toBe('{"code":1}');
    expect(errorSummary(undefined)).toBe('undefined');
  });
});

describe('describeDeadLetterReason', () => {
  it('has a description for every reason', () => {
    const reasons: DeadLetterReason[] = ['envelope', 'schema', 'unknown-type', 'handler-failed', 'handler-rejected'];
    for (const r of reasons) expect(describeDeadLetterReason(r)).toMatch(/\w/);
  });
});

describe('isTransientInfrastructureError', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });

  it('treats lost connections and server shutdowns as transient', () => {
    expect(isTransientInfrastructureError(withCode('ECONNREFUSED'))).toBe(true);
    expect(isTransientInfrastructureError(withCode('08006'))).toBe(true);
    expect(isTransientInfrastructureError(withCode('57P01'))).toBe(true);
    expect(isTransientInfrastructureError(withCode('53300'))).toBe(true);
    expect(isTransientInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientInfrastructureError(new Error('wrapped', { cause: withCode('ECONNRESET') }))).toBe(true);
    // The bounded waits on Postgres (statement_timeout, the client's query_timeout) are outages too.
    expect(isTransientInfrastructureError(withCode('57014'))).toBe(true);
    expect(isTransientInfrastructureError(new Error('Query read timeout'))).toBe(true);
  });

  it('treats data errors and handler bugs as the message’s problem', () => {
    expect(isTransientInfrastructureError(withCode('23505'))).toBe(false); // unique violation
    expect(isTransientInfrastructureError(withCode('40001'))).toBe(false); // serialization: bounded retries
    expect(isTransientInfrastructureError(new TypeError('undefined is not a function'))).toBe(false);
    expect(isTransientInfrastructureError('ECONNREFUSED')).toBe(false);
  });
});
