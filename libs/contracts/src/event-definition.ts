import { v7 as uuidv7 } from 'uuid';
import { type z } from 'zod';
import { type CloudEvent, EVENT_TYPE_MESSAGE, EVENT_TYPE_PATTERN } from './cloud-event';
import { type TopicSpec } from './topics';

/**
 * One kind of event: its CloudEvents type, the topic it travels on, and the schema its data must
 * satisfy. Producers validate before writing to the outbox; consumers validate before handling, so a
 * payload that breaks the contract goes to the DLQ instead of into a handler.
 *
 * Never change a published definition in place: add `…V2` beside it (new type and topic version).
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly topic: TopicSpec;
  readonly schema: S;
  /** Extracts the message key (enterprise patient id / facility code) from the data. */
  readonly keyOf: (data: z.output<S>) => string;
  /** Extracts the CloudEvents subject; defaults to the key. */
  readonly subjectOf?: (data: z.output<S>) => string;
}

export type EventData<D extends EventDefinition> = z.output<D['schema']>;
export type TypedCloudEvent<D extends EventDefinition> = CloudEvent<EventData<D>>;

export function defineEvent<S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  if (!EVENT_TYPE_PATTERN.test(definition.type)) {
    throw new Error(`event type "${definition.type}": ${EVENT_TYPE_MESSAGE}`);
  }
  return Object.freeze(definition);
}

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    readonly eventType: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(`${eventType}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** Parses data against the definition's schema; throws EventValidationError listing every issue. */
export function parseEventData<S extends z.ZodType>(definition: EventDefinition<S>, data: unknown): z.output<S> {
  const result = definition.schema.safeParse(data);
  if (!result.success) {
    throw new EventValidationError(
      definition.type,
      result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return result.data;
}

/** Looks definitions up by CloudEvents type for consumers that read a topic carrying several types. */
export class EventRegistry {
  private readonly byType = new Map<string, EventDefinition>();

  constructor(definitions: readonly EventDefinition[]) {
    for (const d of definitions) {
      if (this.byType.has(d.type)) throw new Error(`event type "${d.type}" defined twice`);
      this.byType.set(d.type, d);
    }
  }

  get(type: string): EventDefinition | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}

export interface BuiltEvent<T> {
  readonly event: CloudEvent<T>;
  readonly key: string;
}

/**
 * Validates data against its definition and wraps it in a CloudEvent with a fresh UUIDv7 id (time
 * ordered, so ids sort roughly by creation) and the current time.
 */
export function buildEvent<S extends z.ZodType>(
  definition: EventDefinition<S>,
  data: unknown,
  options: { source: string; id?: string; time?: Date },
): BuiltEvent<z.output<S>> {
  const parsed = parseEventData(definition, data);
  const key = definition.keyOf(parsed);
  const subject = definition.subjectOf ? definition.subjectOf(parsed) : key;
  return {
    key,
    event: {
      specversion: '1.0',
      id: options.id ?? uuidv7(),
      source: options.source,
      type: definition.type,
      time: (options.time ?? new Date()).toISOString(),
      subject,
      datacontenttype: 'application/json',
      data: parsed,
    },
  };
}
