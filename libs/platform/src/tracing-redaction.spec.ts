import { QueryRedactingSpanProcessor, redactQuery } from './tracing-redaction';

const CCCD = '001087012345';

function span(attributes: Record<string, unknown>) {
  const attrs = { ...attributes };
  return { attributes: attrs, setAttribute: (k: string, v: string) => (attrs[k] = v) };
}

describe('spans never carry a query string', () => {
  it('replaces the query of every URL attribute, old and new conventions, and keeps the path', () => {
    const s = span({
      'http.url': `http://identity:3001/v1/patients?identifier=cccd%7C${CCCD}`,
      'http.target': `/v1/patients?identifier=cccd|${CCCD}`,
      'url.full': `http://identity:3001/v1/patients?identifier=cccd%7C${CCCD}&x=1`,
      'url.query': `identifier=cccd|${CCCD}`,
      'url.path': '/v1/patients',
      'http.method': 'GET',
    });
    new QueryRedactingSpanProcessor().onStart(s);
    expect(JSON.stringify(s.attributes)).not.toContain(CCCD);
    expect(s.attributes).toEqual({
      'http.url': 'http://identity:3001/v1/patients?redacted',
      'http.target': '/v1/patients?redacted',
      'url.full': 'http://identity:3001/v1/patients?redacted',
      'url.query': 'redacted',
      'url.path': '/v1/patients',
      'http.method': 'GET',
    });
  });

  it('leaves URLs without a query, and other attributes, as they are', () => {
    expect(redactQuery('url.full', 'http://consent:3004/v1/decisions')).toBe('http://consent:3004/v1/decisions');
    expect(redactQuery('url.query', '')).toBe('');
    const s = span({ 'http.target': '/v1/patients/0192aaaa-0000-7000-8000-000000000001', 'db.statement': 'SELECT 1 WHERE a = $1' });
    new QueryRedactingSpanProcessor().onStart(s);
    expect(s.attributes).toEqual({ 'http.target': '/v1/patients/0192aaaa-0000-7000-8000-000000000001', 'db.statement': 'SELECT 1 WHERE a = $1' });
  });
});
