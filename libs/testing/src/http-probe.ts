import { connect } from 'node:net';

/** An answer as an outside probe sees it: status, content type, text, and how long it took. */
export interface ProbeAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly ms: number;
}

/** A request as `fetch` sends it (30 s deadline), answered as status, content type, text and time. */
export async function probe(base: string, method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<ProbeAnswer> {
  const started = Date.now();
  const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(30_000) });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text(), ms: Date.now() - started };
}

/**
 * Bytes straight onto a socket (`connection: close`): what `fetch` refuses to send — a NUL or bytes
 * above 0x7f in a header, a path it would normalise. A `content-length` is added for a body; pass one
 * in `headers` without a body to declare a length and send only the head.
 */
export function rawProbe(base: string, method: string, path: string, headers: Record<string, string | Buffer>, body?: string | Buffer): Promise<ProbeAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const head = [Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n`)];
    for (const [name, value] of Object.entries(headers)) head.push(Buffer.concat([Buffer.from(`${name}: `), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n')]));
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (body !== undefined) head.push(Buffer.from(`content-length: ${payload.length}\r\n`));
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('connect', () => socket.write(Buffer.concat([...head, Buffer.from('\r\n'), payload])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [answerHead = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answerHead)?.[1] ?? 0),
        contentType: /^content-type: *(.*)$/im.exec(answerHead)?.[1]?.trim() ?? '',
        body: rest.join('\r\n\r\n'),
        ms: Date.now() - started,
      });
    });
  });
}
