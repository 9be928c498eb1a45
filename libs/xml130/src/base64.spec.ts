import { base64DecodedLength, decodeBase64Strict } from './base64';

describe('strict base64 for NOIDUNGFILE', () => {
  const text = 'Nguyễn Thị Thu Hà <TONG_HOP/>';
  const encoded = Buffer.from(text).toString('base64');

  it('decodes across pieces, with line breaks and CRLF anywhere', () => {
    const wrapped = `\r\n${encoded.slice(0, 10)}\r\n${encoded.slice(10, 21)}\n  ${encoded.slice(21)}\r\n`;
    const result = decodeBase64Strict([wrapped.slice(0, 7), wrapped.slice(7)]);
    expect(result.ok && result.bytes.toString('utf8')).toBe(text);
  });

  it('accepts missing padding, rejects what Buffer.from would silently skip', () => {
    expect(decodeBase64Strict([encoded.replace(/=+$/, '')]).ok).toBe(true);
    expect(decodeBase64Strict([`${encoded.slice(0, 8)}-_${encoded.slice(8)}`])).toMatchObject({ ok: false });
    expect(decodeBase64Strict([`${encoded.slice(0, 8)}é${encoded.slice(8)}`])).toMatchObject({
      ok: false,
      message: 'character "é" at position 8 is not base64',
    });
    expect(decodeBase64Strict(['QUJD=QUJD'])).toMatchObject({ ok: false, message: 'padding (=) inside the base64 text' });
    expect(decodeBase64Strict(['QUJDR'])).toMatchObject({ ok: false, message: 'base64 text of 5 characters is truncated' });
    expect(decodeBase64Strict(['QUI='])).toMatchObject({ ok: true });
    expect(decodeBase64Strict(['QUJD='])).toMatchObject({ ok: false });
  });

  it('measures the decoded size without decoding', () => {
    for (let n = 0; n < 10; n += 1) {
      const bytes = Buffer.alloc(n, 0x41);
      const padded = bytes.toString('base64');
      expect(base64DecodedLength([padded])).toEqual({ ok: true, bytes: n });
      expect(base64DecodedLength([padded.replace(/=+$/, '')])).toEqual({ ok: true, bytes: n });
    }
  });
});
