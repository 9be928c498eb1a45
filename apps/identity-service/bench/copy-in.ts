import { type Client } from 'pg';

/**
 * `COPY … FROM STDIN` on a plain pg Client without pg-copy-streams (not installed): a minimal
 * submittable that sends the prepared text-format chunks when the server asks for them. The whole
 * batch is handed over at once, so callers bound memory by batching (tens of MB per call).
 */
class CopyFromStdin {
  callback: ((error: Error | null) => void) | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly text: string,
    private readonly chunks: readonly Buffer[],
    private readonly done: (error: Error | undefined) => void,
  ) {}

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleError(error: Error): void {
    // The client drops its active query before this call, so ReadyForQuery will not reach us.
    this.failed = error;
    this.done(error);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.done(undefined);
  }

  handleCommandComplete(): void {
    // nothing to do for COPY FROM STDIN
  }
  handleRowDescription(): void {
    // nothing to do for COPY FROM STDIN
  }
  handleDataRow(): void {
    // nothing to do for COPY FROM STDIN
  }
  handleEmptyQuery(): void {
    // nothing to do for COPY FROM STDIN
  }
  handlePortalSuspended(): void {
    // nothing to do for COPY FROM STDIN
  }
  handleCopyData(): void {
    // nothing to do for COPY FROM STDIN
  }
}

/** Runs `copySql` (a `COPY … FROM STDIN` statement) feeding it `rows` (text format, one line each). */
export function copyIn(client: Client, copySql: string, rows: readonly string[]): Promise<void> {
  const chunks: Buffer[] = [];
  const perChunk = 2_000;
  for (let i = 0; i < rows.length; i += perChunk) chunks.push(Buffer.from(rows.slice(i, i + perChunk).join(''), 'utf8'));
  return new Promise<void>((resolve, reject) => {
    const query = new CopyFromStdin(copySql, chunks, (error) => (error ? reject(error) : resolve()));
    (client as unknown as { query(submittable: CopyFromStdin): unknown }).query(query);
  });
}

/** One text-format COPY field: NULL as \N, backslash, tab and newlines escaped. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

/** A bytea field in text COPY: `\\x…` (the backslash itself escaped). */
export function copyBytea(value: Buffer): string {
  return `\\\\x${value.toString('hex')}`;
}

export function copyLine(fields: readonly string[]): string {
  return `${fields.join('\t')}\n`;
}
