import { isDatabaseUnavailable } from '@lienthong/platform';
import { type IHeaders } from 'kafkajs';

/**
 * Why a message went to the dead-letter topic. Envelope, schema and unknown-type failures are
 * permanent (retrying cannot fix the bytes); handler failures went through bounded retries first,
 * unless the handler threw NonRetryableError.
 */
export type DeadLetterReason = 'envelope' | 'schema' | 'unknown-type' | 'handler-failed' | 'handler-rejected';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumer: 'dlq-consumer',
  failedAt: 'dlq-failed-at',
  attempts: 'dlq-attempts',
} as const;

/** Longest `dlq-error` value; stacks and huge messages are cut so the DLQ record stays small. */
export const DLQ_ERROR_MAX_LENGTH = 2000;

/** One line a human reading the DLQ understands. */
export function describeDeadLetterReason(reason: DeadLetterReason): string {
  switch (reason) {
    case 'envelope':
      return 'not a valid CloudEvent (binary mode)';
    case 'schema':
      return 'data does not match the event schema';
    case 'unknown-type':
      return 'no handler for this event type';
    case 'handler-failed':
      return 'handler kept failing after the retries';
    case 'handler-rejected':
      return 'handler rejected the event as non-retryable';
  }
}

/** Throw from a handler when retrying cannot help (e.g. the event references something that can never exist). */
export class NonRetryableError extends Error {
  override readonly name = 'NonRetryableError';
}

export function errorSummary(error: unknown, maxLength = DLQ_ERROR_MAX_LENGTH): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

export interface DeadLetterInfo {
  /** A DeadLetterReason, or the code of a domain error the handler threw (InboxConsumerOptions.rejectionReason). */
  readonly reason: DeadLetterReason | string;
  readonly error: unknown;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly consumer: string;
  readonly failedAt: Date;
  /** Handler attempts made (0 when the message never reached the handler). */
  readonly attempts: number;
}

/**
 * The dead-letter record's headers: the original headers untouched (CloudEvents attributes, trace
 * context), plus why, where from and who gave up. Earlier `dlq-*` headers (a message re-driven from a
 * DLQ that failed again) are replaced, not duplicated.
 */
export function deadLetterHeaders(original: IHeaders | undefined, info: DeadLetterInfo): IHeaders {
  const dlqNames = new Set<string>(Object.values(DLQ_HEADERS));
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(original ?? {})) {
    if (value !== undefined && !dlqNames.has(name)) headers[name] = value;
  }
  headers[DLQ_HEADERS.reason] = info.reason;
  headers[DLQ_HEADERS.error] = errorSummary(info.error);
  headers[DLQ_HEADERS.originalTopic] = info.topic;
  headers[DLQ_HEADERS.originalPartition] = String(info.partition);
  headers[DLQ_HEADERS.originalOffset] = info.offset;
  headers[DLQ_HEADERS.consumer] = info.consumer;
  headers[DLQ_HEADERS.failedAt] = info.failedAt.toISOString();
  headers[DLQ_HEADERS.attempts] = String(info.attempts);
  return headers;
}

/**
 * Errors that say "the database is unreachable, silent or overloaded", not "this message is bad": the
 * consumer retries them without limit (they would otherwise send healthy messages to the DLQ during an
 * outage). The same classification the platform uses to answer HTTP 503 — one definition: socket
 * codes, SQLSTATE 08/53/57P0x, statement and idle-in-transaction timeouts, the driver's own timeouts.
 */
export function isTransientInfrastructureError(error: unknown): boolean {
  return isDatabaseUnavailable(error);
}
