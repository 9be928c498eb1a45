import { z } from 'zod';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the attributes travel as `ce_*`
 * headers, the data (JSON) is the message value, `content-type` names its media type.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export interface CloudEvent<T = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  /** URI-reference of the producing service, e.g. `/lienthong/identity-service`. */
  readonly source: string;
  /** `vn.lienthong.<domain>.<entity>.<action>` */
  readonly type: string;
  /** RFC 3339 with offset. */
  readonly time: string;
  /** The entity the event is about: an enterprise patient id or a facility code, never a CCCD. */
  readonly subject?: string;
  readonly datacontenttype: 'application/json';
  readonly data: T;
}

/** W3C trace context carried next to the event (headers `traceparent`/`tracestate`). */
export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

/** What a Kafka client needs to send one record; transport-neutral (no kafkajs types here). */
export interface EncodedRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export const CE_HEADER_PREFIX = 'ce_';
/** `vn.lienthong.<domain>.<entity>.<action>`: checked when an event is defined and when one is decoded. */
export const EVENT_TYPE_PATTERN = /^vn\.lienthong\.[a-z0-9-]+(\.[a-z0-9-]+)+$/;
export const EVENT_TYPE_MESSAGE = 'type must be vn.lienthong.<domain>.<entity>.<action>';
const CONTENT_TYPE = 'application/json';

const attributeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().regex(EVENT_TYPE_PATTERN, EVENT_TYPE_MESSAGE),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).optional(),
});

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

export function encodeCloudEvent(event: CloudEvent, key: string, trace: TraceHeaders = {}): EncodedRecord {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    'content-type': CONTENT_TYPE,
  };
  if (event.subject !== undefined) headers['ce_subject'] = event.subject;
  if (trace.traceparent) headers['traceparent'] = trace.traceparent;
  if (trace.tracestate) headers['tracestate'] = trace.tracestate;
  return { key, value: Buffer.from(JSON.stringify(event.data)), headers };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

function headerString(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Decodes a binary-mode record. Throws EnvelopeError with a precise reason (it becomes the DLQ reason). */
export function decodeCloudEvent(record: {
  headers?: Record<string, HeaderValue> | undefined;
  value: Buffer | string | null;
}): CloudEvent & TraceHeaders {
  const headers = record.headers ?? {};
  const get = (name: string) => headerString(headers[name]);
  const contentType = get('content-type');
  if (contentType !== undefined && !contentType.startsWith(CONTENT_TYPE)) {
    throw new EnvelopeError(`unsupported content-type "${contentType}"`);
  }
  const attributes = attributeSchema.safeParse({
    specversion: get('ce_specversion'),
    id: get('ce_id'),
    source: get('ce_source'),
    type: get('ce_type'),
    time: get('ce_time'),
    subject: get('ce_subject'),
  });
  if (!attributes.success) {
    const detail = attributes.error.issues.map((i) => `${i.path.join('.') || 'attributes'}: ${i.message}`).join('; ');
    throw new EnvelopeError(`invalid CloudEvent attributes: ${detail}`);
  }
  if (record.value === null) throw new EnvelopeError('CloudEvent has no data (null value)');
  let data: unknown;
  try {
    data = JSON.parse(typeof record.value === 'string' ? record.value : record.value.toString('utf8'));
  } catch (error) {
    throw new EnvelopeError(`CloudEvent data is not JSON: ${(error as Error).message}`);
  }
  const traceparent = get('traceparent');
  const tracestate = get('tracestate');
  return {
    ...attributes.data,
    datacontenttype: CONTENT_TYPE,
    data,
    ...(traceparent ? { traceparent } : {}),
    ...(tracestate ? { tracestate } : {}),
  };
}
