import type { DestinationStream } from 'pino';

export const CENSOR = '[REDACTED]';

/** Field names that hold patient identifiers or contact data, wherever they appear in a logged object. */
const SENSITIVE_KEYS = [
  'cccd', 'soCccd', 'SO_CCCD', 'cmnd', 'soCmnd', 'SO_CMND', 'idNumber', 'nationalId', 'personalId',
  'bhyt', 'bhytCardNumber', 'insuranceCardNumber', 'maTheBhyt', 'MA_THE_BHYT', 'MA_THE',
  'phone', 'phoneNumber', 'soDienThoai', 'DIEN_THOAI', 'email',
  'fullName', 'HO_TEN', 'address', 'DIA_CHI',
  'password', 'secret', 'token', 'accessToken', 'refreshToken',
  // The values bound to a failed SQL statement: patient data by construction.
  'parameters',
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
/** A percent-escape: the text may hide an identifier that only decoding shows. */
const ESCAPED = /%[0-9A-Fa-f]{2}/;
/** `%2530` is `0` encoded twice; a third round costs nothing and covers a proxy that encodes again. */
const MAX_DECODE_ROUNDS = 3;

/**
 * Masks identifier-shaped numbers, including those a URL encoding hides: `%20079…%20` (the padding
 * glues the CCCD into a longer digit run), `%30%37%39…` (every digit escaped), mixed-case hex and
 * double encoding (`%2530`). The text is percent-decoded (up to three rounds) only to find them; what
 * is masked is the original span, so the rest of the line keeps its encoding. `+` needs no decoding:
 * it is a non-digit, so it bounds a digit run whether read as `+` or as a space.
 */
export function maskIdentifiers(text: string): string {
  let masked = CANDIDATE.test(text) ? text.replace(MASK, (match, uuid: string | undefined) => (uuid ? match : CENSOR)) : text;
  if (!ESCAPED.test(masked)) return masked;
  for (let rounds = 1; rounds <= MAX_DECODE_ROUNDS; rounds++) {
    const decoded = decodeRounds(masked, rounds);
    masked = maskDecoded(masked, decoded);
    // Masking writes no escapes, so when this round left none another round would find nothing new.
    if (!ESCAPED.test(decoded.text)) break;
  }
  return masked;
}

/** Text decoded from an original; `spans[i]` is the [start, end) of decoded char i in the original. */
interface DecodedText {
  readonly text: string;
  readonly spans: readonly (readonly [number, number])[];
}

function decodeRounds(original: string, rounds: number): DecodedText {
  let decoded: DecodedText = { text: original, spans: Array.from(original, (_c, i) => [i, i + 1] as const) };
  for (let round = 1; round <= rounds; round++) decoded = percentDecode(decoded);
  return decoded;
}

/** One round of percent-decoding, of ASCII escapes only: identifiers are ASCII, so a multi-byte escape cannot hide one. */
function percentDecode({ text: source, spans: sourceSpans }: DecodedText): DecodedText {
  let text = '';
  const spans: (readonly [number, number])[] = [];
  for (let i = 0; i < source.length; ) {
    const escaped = source.charAt(i) === '%' && /^[0-7][0-9A-Fa-f]$/.test(source.slice(i + 1, i + 3));
    const width = escaped ? 3 : 1;
    text += escaped ? String.fromCharCode(parseInt(source.slice(i + 1, i + 3), 16)) : source.charAt(i);
    spans.push([(sourceSpans[i] as readonly [number, number])[0], (sourceSpans[i + width - 1] as readonly [number, number])[1]]);
    i += width;
  }
  return { text, spans };
}

/** Masks, in `original`, the spans behind every identifier found in its decoded form. */
function maskDecoded(original: string, decoded: DecodedText): string {
  if (!CANDIDATE.test(decoded.text)) return original;
  const hidden: [number, number][] = [];
  for (const match of decoded.text.matchAll(MASK)) {
    if (match[1] !== undefined) continue;
    const first = decoded.spans[match.index];
    const last = decoded.spans[match.index + match[0].length - 1];
    if (first && last) hidden.push([first[0], last[1]]);
  }
  let masked = original;
  for (const [start, end] of hidden.reverse()) masked = `${masked.slice(0, start)}${CENSOR}${masked.slice(end)}`;
  return masked;
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
  if (!CANDIDATE.test(line) && !ESCAPED.test(line)) return line;
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
