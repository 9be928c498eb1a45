/**
 * Query strings never leave a service in a span. Identifier lookups travel in them
 * (`GET /v1/patients?identifier=cccd|…`): the HTTP instrumentations would record the CCCD in the
 * caller's outgoing span (`url.full`) and in the callee's incoming one (`http.target`, `url.query`).
 * This span processor runs first, when a span starts with those attributes, and replaces every query
 * string with a marker; paths (which carry opaque enterprise ids only) stay.
 *
 * Framework-free and SDK-free on purpose (structural types): tracing.ts loads the SDK only when on.
 */

/** The URL-bearing attributes of the HTTP semantic conventions, old and new. */
export const URL_ATTRIBUTES = ['http.url', 'http.target', 'url.full', 'url.query', 'url.original'] as const;
export const REDACTED_QUERY = 'redacted';

interface StartedSpan {
  readonly attributes: Readonly<Record<string, unknown>>;
  setAttribute(key: string, value: string): unknown;
}

/** The value with any query string replaced by `?redacted` (`url.query` itself becomes `redacted`). */
export function redactQuery(key: string, value: string): string {
  if (key === 'url.query') return value === '' ? value : REDACTED_QUERY;
  const at = value.indexOf('?');
  return at < 0 ? value : `${value.slice(0, at)}?${REDACTED_QUERY}`;
}

export class QueryRedactingSpanProcessor {
  onStart(span: StartedSpan): void {
    for (const key of URL_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value !== 'string') continue;
      const redacted = redactQuery(key, value);
      if (redacted !== value) span.setAttribute(key, redacted);
    }
  }

  onEnd(): void {
    // Nothing to do at the end: the query was redacted when the span started.
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
