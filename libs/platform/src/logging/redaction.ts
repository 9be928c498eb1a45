import type { DestinationStream } from 'pino';

export const CENSOR = '[REDACTED]';

/** Field names that hold patient identifiers or contact data, wherever they appear in a logged object. */
const SENSITIVE_KEYS = [
  'cccd', 'soCccd', 'SO_CCCD', 'cmnd', 'soCmnd', 'SO_CMND', 'idNumber', 'nationalId', 'personalId',
  'bhyt', 'bhytCardNumber', 'insuranceCardNumber', 'maTheBhyt', 'MA_THE_BHYT', 'MA_THE',
  'phone', 'phoneNumber', 'soDienThoai', 'DIEN_THOAI', 'email',
  'fullName', 'HO_TEN', 'address', 'DIA_CHI',
  'password', 'secret', 'token', 'accessToken', 'refreshToken',
];

/**
 * pino `redact.paths`: credentials in headers, and the sensitive keys at the top level and up to three
 * levels down (request bodies are logged under `req.body`, payloads under `event.data`…).
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...['', '*.', '*.*.', '*.*.*.'].flatMap((prefix) => [
    ...SENSITIVE_KEYS.map((key) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${prefix}${key}` : `${prefix}["${key}"]`)),
    `${prefix}identifiers[*].value`,
  ]),
];

/**
 * Digit runs that look like a personal identifier: a 12-digit CCCD, a 9-digit CMND, a 15-character
 * BHYT card number and a Vietnamese mobile number. Runs are bounded by non-digits, not by word
 * boundaries: a CCCD glued to letters (`cccd%7C079…` in a URL-encoded query, `BN079…` as a local id)
 * is still masked — over-masking an id is cheap, a leaked CCCD is not. Longer runs (epoch-ms times,
 * 13 digits) are left alone. Correlation ids are matched first and kept: UUIDs (about one in 300 has
 * an all-digit last group) and W3C trace/span ids (32 / 16 lowercase hex, which often hold a run of
 * 9 or 12 digits between letters); masking them would break log correlation.
 */
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TRACE_ID = '(?<![0-9A-Za-z])(?:[0-9a-f]{32}|[0-9a-f]{16})(?![0-9A-Za-z])';
const IDENTIFIERS = [
  '(?<!\\d)\\d{12}(?!\\d)',
  '(?<!\\d)\\d{9}(?!\\d)',
  '[A-Z]{2}[1-5]\\d{12}(?!\\d)',
  '(?<!\\d)(?:\\+84|%2[Bb]84|84|0)\\d{9}(?!\\d)',
];
const CANDIDATE = new RegExp(IDENTIFIERS.join('|'));
const MASK = new RegExp(`(${UUID}|${TRACE_ID})|${IDENTIFIERS.join('|')}`, 'g');

export function maskIdentifiers(text: string): string {
  if (!CANDIDATE.test(text)) return text;
  return text.replace(MASK, (match, uuid: string | undefined) => (uuid ? match : CENSOR));
}

function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskIdentifiers(value);
  if (typeof value === 'number') return Number.isInteger(value) && maskIdentifiers(String(Math.abs(value))) !== String(Math.abs(value)) ? CENSOR : value;
  if (Array.isArray(value)) return value.map(maskValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[maskIdentifiers(key)] = maskValue(child);
    return out;
  }
  return value;
}

/**
 * The last line of defence, after pino's path redaction: every serialized log line is scanned for
 * identifier-shaped numbers, whatever put them there (a message template, an error message, a stack,
 * an unexpected field). Lines without a candidate pass untouched, so the common case costs one regex test.
 */
export function scrubLogLine(line: string): string {
  if (!CANDIDATE.test(line)) return line;
  const newline = line.endsWith('\n') ? '\n' : '';
  try {
    return JSON.stringify(maskValue(JSON.parse(line))) + newline;
  } catch {
    return maskIdentifiers(line);
  }
}

/** Wraps a pino destination so nothing identifier-shaped reaches it. */
export function scrubbingDestination(inner: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      inner.write(scrubLogLine(line));
    },
  };
}
