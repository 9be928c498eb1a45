/**
 * NOIDUNGFILE decoding. Node's `Buffer.from(s, 'base64')` silently skips characters outside the
 * alphabet, which would turn a damaged entry into a shorter, plausible-looking table; this checks the
 * text first. Line breaks and other whitespace are allowed anywhere (MIME-wrapped lines, CRLF);
 * padding is optional but, when present, only at the end.
 */

export type Base64Result =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly message: string };

export type Base64Length =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly message: string };

const WHITESPACE = /[\s]+/g;
const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

function clean(parts: readonly string[]): { ok: true; text: string } | { ok: false; message: string } {
  const text = parts.join('').replace(WHITESPACE, '');
  if (!ALPHABET.test(text)) {
    const bad = /[^A-Za-z0-9+/=]/.exec(text);
    return {
      ok: false,
      message:
        bad === null
          ? 'padding (=) inside the base64 text'
          : `character ${JSON.stringify(bad[0])} at position ${bad.index} is not base64`,
    };
  }
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1 || (text.length !== body.length && text.length % 4 !== 0)) {
    return { ok: false, message: `base64 text of ${text.length} characters is truncated` };
  }
  return { ok: true, text };
}

/** Validates and decodes the text of one NOIDUNGFILE (given as the pieces the parser delivered). */
export function decodeBase64Strict(parts: readonly string[]): Base64Result {
  const checked = clean(parts);
  return checked.ok ? { ok: true, bytes: Buffer.from(checked.text, 'base64') } : checked;
}

/** The decoded size without decoding (for tables the reader counts but does not read). */
export function base64DecodedLength(parts: readonly string[]): Base64Length {
  const checked = clean(parts);
  if (!checked.ok) return checked;
  const body = checked.text.replace(/=+$/, '').length;
  return { ok: true, bytes: Math.floor((body * 3) / 4) };
}
