/**
 * What a log call is given → what may be serialized. Run as pino's `formatters.log`, i.e. before the
 * serializers and the path redaction, on every object any logger here writes.
 *
 * Why it exists: pino's path redaction (`*.*.*.fullName`…) copies the objects it walks through keeping
 * their prototype, and a copied Buffer is a Buffer without bytes whose `toJSON` throws. A failed
 * Postgres insert (typeorm's QueryFailedError carries the bound `parameters`, among them the encrypted
 * identifier and blind index as Buffers) was therefore logged as "[unable to serialize, circular
 * reference is too complex to analyze]": the one error worth reading was lost. Binary values become a
 * short placeholder here, so nothing downstream ever sees a Buffer.
 *
 * Errors become a plain object of the members known to be safe and useful: type, message, stack, the
 * error code, the database's diagnostic names (severity, routine, constraint, table, column, the SQL
 * text — parameterised, no values), network members and the `cause` / AggregateError chain. Anything
 * else an error carries is left out on purpose: the bound `parameters` of a failed query and the
 * database's `detail` ("Key (local_id)=(…) already exists") are patient data.
 */
export function loggable(object: Record<string, unknown>): Record<string, unknown> {
  return toLoggable(object, 0) as Record<string, unknown>;
}

const MAX_DEPTH = 8;
const MAX_ERROR_DEPTH = 3;
const MAX_SQL_LENGTH = 2_000;
const MAX_AGGREGATED = 10;

const SAFE_ERROR_MEMBERS = [
  'code', 'statusCode', 'status', 'errno', 'syscall', 'address', 'port',
  'severity', 'routine', 'constraint', 'table', 'column', 'schema', 'dataType',
] as const;

function toLoggable(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return describeError(value, 0);
  if (isBinary(value)) return binaryPlaceholder(value);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    // Copy on write: the common log object has nothing to change and is passed on as it came.
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const safe = toLoggable(item, depth + 1);
      if (safe !== item) (copy ??= [...value])[index] = safe;
    });
    return copy ?? value;
  }
  // Class instances (a ServerResponse pino-http logs under `res`…) are left to their serializers.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value)) {
    const safe = toLoggable(child, depth + 1);
    if (safe !== child) (copy ??= { ...(value as Record<string, unknown>) })[key] = safe;
  }
  return copy ?? value;
}

export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  query?: string;
  cause?: LoggedError | unknown;
  errors?: unknown[];
  [member: string]: unknown;
}

function describeError(error: Error, depth: number): LoggedError {
  const members = error as unknown as Record<string, unknown>;
  const described: LoggedError = { type: error.constructor.name || error.name, message: error.message };
  if (error.stack !== undefined) described.stack = error.stack;
  for (const member of SAFE_ERROR_MEMBERS) {
    const value = members[member];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') described[member] = value;
  }
  const query = members['query'];
  if (typeof query === 'string') described.query = query.length > MAX_SQL_LENGTH ? `${query.slice(0, MAX_SQL_LENGTH)}…` : query;
  if (depth < MAX_ERROR_DEPTH) {
    const { cause } = error;
    if (cause instanceof Error) described.cause = describeError(cause, depth + 1);
    else if (cause !== undefined) described.cause = typeof cause === 'object' && cause !== null ? '[non-error cause]' : cause;
    if (error instanceof AggregateError) {
      const inner: unknown[] = Array.isArray(error.errors) ? error.errors : [];
      described.errors = inner.slice(0, MAX_AGGREGATED).map((e) => (e instanceof Error ? describeError(e, depth + 1) : String(e)));
    }
  }
  return described;
}

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function binaryPlaceholder(value: ArrayBufferView | ArrayBuffer): string {
  return `[binary ${value.byteLength} bytes]`;
}
