import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { CENSOR, maskIdentifiers, scrubLogLine } from './redaction';

const CCCD = '079123456789';
const CMND = '023456789';

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

describe('log redaction', () => {
  it('never lets a CCCD reach the output, however it is logged', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    logger.info(`looking up ${CCCD}`);
    logger.info({ cccd: CCCD, soCccd: CCCD, SO_CCCD: CCCD }, 'structured');
    logger.info({ req: { body: { patient: { identifiers: [{ system: 'cccd', value: CCCD }] } } } }, 'nested');
    logger.info({ note: `free text with ${CCCD} inside`, numeric: 79123456789 * 10 + 1, cmnd: Number(CMND) });
    logger.error({ err: new Error(`duplicate key (cccd)=(${CCCD})`) }, 'insert failed');
    logger.info({ [CCCD]: 'as a key' });
    logger.info({ url: `/v1/patients/by-cccd/${CCCD}?old=${CMND}` });
    logger.info({ req: { url: `/v1/patients?identifier=cccd%7C${CCCD}&localId=BN${CCCD}` } }, 'url-encoded query');
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 's=1' } } }, 'headers');
    const output = lines.join('');
    expect(lines).toHaveLength(9);
    expect(output).not.toContain(CCCD);
    expect(output).not.toContain(CMND);
    expect(output).not.toContain('791234567891');
    expect(output).not.toContain('abc.def.ghi');
    // Every line is still valid JSON after scrubbing.
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('redacts known fields by path even when they do not look like an identifier', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).info({ patient: { phone: '+84 91 234 5678', fullName: 'Nguyễn Văn A', bhyt: 'DN4790123456789' } });
    const logged = JSON.parse(lines[0] ?? '{}') as { patient: Record<string, string> };
    expect(logged.patient).toEqual({ phone: '[REDACTED]', fullName: '[REDACTED]', bhyt: '[REDACTED]' });
  });

  it('masks identifier-shaped numbers only', () => {
    expect(maskIdentifiers(`cccd ${CCCD}, cmnd ${CMND}, bhyt DN4790123456789, phone 0912345678`)).toBe(
      'cccd [REDACTED], cmnd [REDACTED], bhyt [REDACTED], phone [REDACTED]',
    );
    // Epoch milliseconds (13 digits), short numbers and UUIDs are left alone.
    expect(maskIdentifiers('t=1764115200000 n=12345 0191b2c4-79e1-7000-8000-000000000000 0191b2c4-79e1-7000-8000-079123456789')).toBe(
      't=1764115200000 n=12345 0191b2c4-79e1-7000-8000-000000000000 0191b2c4-79e1-7000-8000-079123456789',
    );
    // W3C trace and span ids are correlation ids, even when they hold a 9- or 12-digit run.
    expect(maskIdentifiers('"trace_id":"a5a23d29416c94b123456789a3318908","span_id":"a94e079123456789"')).toBe(
      '"trace_id":"a5a23d29416c94b123456789a3318908","span_id":"a94e079123456789"',
    );
    // A CCCD glued to letters (URL-encoded separator, a local id built from it) is still a CCCD.
    expect(maskIdentifiers(`identifier=cccd%7C${CCCD} id=BN${CCCD}x`)).toBe('identifier=cccd%7C[REDACTED] id=BN[REDACTED]x');
  });

  describe('identifiers hidden by URL encoding', () => {
    const each = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    it.each([
      ['padded with encoded spaces (a 14-digit run undecoded)', `/v1/patients?identifier=cccd%7C%20${CCCD}%20`],
      ['with its first digit escaped', `/v1/patients?localId=BN%3${CCCD.slice(0, 1)}${CCCD.slice(1)}`],
      ['every digit escaped', `/v1/patients?identifier=cccd%7C${each(CCCD)}`],
      ['lower-case hex, the whole value escaped', `/v1/patients?identifier=${each(`cccd|${CCCD}`).toLowerCase()}`],
      ['mixed case hex and + for space', `/v1/patients?identifier=cccd%7c+%30${CCCD.slice(1, 6)}%3${CCCD.charAt(6)}${CCCD.slice(7)}+`],
      ['double encoding', `/v1/patients?identifier=cccd%257C${each(CCCD).replace(/%/g, '%25')}`],
      ['double encoding, mixed', `/v1/patients/%2530${CCCD.slice(1)}`],
      ['a CMND escaped in a header value', `%20${each(CMND)}%20`],
    ])('masks a CCCD %s', (_what, text) => {
      const masked = maskIdentifiers(text);
      expect(masked).toContain(CENSOR);
      const decoded = decodeURIComponent(decodeURIComponent(masked.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')));
      expect(decoded).not.toContain(CCCD);
      expect(decoded).not.toContain(CMND);
    });

    it('masks only the encoded span, keeping the rest of the URL as it was', () => {
      expect(maskIdentifiers(`/v1/patients?identifier=cccd%7C%20${CCCD}%20&facility=01904`)).toBe(
        `/v1/patients?identifier=cccd%7C%20${CENSOR}%20&facility=01904`,
      );
      expect(maskIdentifiers(`/v1/patients?identifier=cccd%7C${each(CCCD)}&x=%C3%A1`)).toBe(`/v1/patients?identifier=cccd%7C${CENSOR}&x=%C3%A1`);
    });

    it('still leaves trace ids, UUIDs and escaped non-identifiers alone', () => {
      const text = '/v1/patients/0191b2c4-79e1-7000-8000-079123456789?traceparent=00-a5a23d29416c94b123456789a3318908-a94e079123456789-01&q=Nguy%E1%BB%85n%20V%C4%83n&n=%31%32%33';
      expect(maskIdentifiers(text)).toBe(text);
    });

    it('scrubs an encoded CCCD from every field of a log line', () => {
      const { lines, stream } = capture();
      const logger = createLogger('test', 'info', stream);
      logger.info({ req: { url: `/v1/patients?identifier=cccd%7C${each(CCCD)}`, purposeOfUse: `%20${CCCD}%20` } }, 'request completed');
      logger.error({ err: new Error(`no patient for cccd%7C%20${CCCD}%20`) }, `lookup of ${each(CCCD)} failed`);
      expect(lines).toHaveLength(2);
      const output = lines.join('');
      expect(output).not.toContain(CCCD);
      expect(decodeURIComponent(output.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'))).not.toContain(CCCD);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    });
  });

  it('keeps lines without candidates byte-identical', () => {
    const line = '{"level":"info","time":1764115200000,"msg":"ok"}\n';
    expect(scrubLogLine(line)).toBe(line);
  });
});
