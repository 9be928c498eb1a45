import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server (Postgres) that can stall: `pause()` stops forwarding in both
 * directions and new connections are accepted but never connected through — the peer is silent, as
 * behind a dead network path; `resume()` forwards again (what was held is delivered). `url(target)`
 * rewrites a connection URL to go through the proxy.
 */
export interface PausableProxy {
  readonly port: number;
  url(target: string): string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(targetHost: string, targetPort: number): Promise<PausableProxy> {
  let paused = false;
  const pairs = new Set<{ flush(): void; destroy(): void }>();
  const opens: (() => void)[] = [];

  const server: Server = createServer((client) => {
    const toServer: Buffer[] = [];
    const toClient: Buffer[] = [];
    let upstream: Socket | undefined;
    const pair = {
      flush() {
        if (paused || upstream === undefined) return;
        for (const chunk of toServer.splice(0)) upstream.write(chunk);
        for (const chunk of toClient.splice(0)) client.write(chunk);
      },
      destroy() {
        client.destroy();
        upstream?.destroy();
      },
    };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => (toServer.push(chunk), pair.flush()));
    client.on('error', () => undefined);
    client.on('close', () => (pairs.delete(pair), upstream?.destroy()));
    const open = () => {
      if (client.destroyed) return;
      upstream = connect(targetPort, targetHost);
      upstream.on('data', (chunk: Buffer) => (toClient.push(chunk), pair.flush()));
      upstream.on('error', () => undefined);
      upstream.on('close', () => client.destroy());
      pair.flush();
    };
    // Paused: the connection is accepted and then nothing ever comes back, until resumed.
    if (paused) opens.push(open);
    else open();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  const port = address.port;
  return {
    port,
    url(target: string) {
      const parsed = new URL(target);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const open of opens.splice(0)) open();
      for (const pair of pairs) pair.flush();
    },
    async close() {
      for (const pair of pairs) pair.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
