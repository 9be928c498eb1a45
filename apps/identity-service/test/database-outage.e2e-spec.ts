import { PopulationGenerator } from '@lienthong/synthetic';
import { createTestDatabase, createTestIssuer, expectEventually, facilityHeaders, freePort, runNodeScript, startServiceProcess, testInfra, uniqueName, type ServiceProcess, type TestDatabase } from '@lienthong/testing';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { IDENTITY_MAIN as MAIN, IDENTITY_MIGRATE as MIGRATE, identityEnv, postPatient, registrationOf, syntheticAdults, type SyntheticAdult } from './identity-process';

/**
 * identity-service built and run as a process while its database is unreachable: refused, silent (a
 * peer that accepts TCP and never says a word) and cut mid-flight behind a proxy we control — the
 * real Postgres is never stopped. Requests must fail fast with 503 + Retry-After, readiness must
 * follow the database down and back up, and a boot against a dead database must exit non-zero with
 * one JSON line and no password.
 *
 * The bound: connect 3 s, statement 5 s, the client's own cut-off 6 s (the DB_* defaults) — so every
 * answer comes within 10 s.
 */
const ANSWER_WITHIN_MS = 10_000;
/** In DATABASE_URL on purpose (the local server trusts the connection and ignores it): it must never be printed. */
const PASSWORD = 'outage-e2e-Secret';
/** Thanh Nhàn (seed data). */
const FACILITY = '01902';

type ProxyMode = 'forward' | 'refuse' | 'silent';

/**
 * A TCP proxy in front of the real Postgres that can refuse (stop listening, drop every connection),
 * go silent (keep every connection and accept new ones, but pass nothing either way) or forward again.
 */
class DatabaseProxy {
  private server: Server | undefined;
  private mode: ProxyMode = 'forward';
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly upstream: { host: string; port: number },
  ) {}

  static async start(upstream: { host: string; port: number }): Promise<DatabaseProxy> {
    const proxy = new DatabaseProxy(await freePort(), upstream);
    await proxy.listen();
    return proxy;
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode !== 'forward') return; // silent: accepted, never answered
    const upstream = createConnection(this.upstream);
    this.track(upstream);
    const pass = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'forward') to.write(chunk);
      });
    pass(client, upstream);
    pass(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Nothing listens any more; every open connection is dropped. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const server = this.server;
    this.server = undefined;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections stay open but go quiet; new ones are accepted and never answered. */
  silence(): void {
    this.mode = 'silent';
  }

  /** Forwards again (connections that went quiet stay quiet: the service must have discarded them). */
  async restore(): Promise<void> {
    this.mode = 'forward';
    if (!this.server) await this.listen();
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    await this.refuse();
  }
}

/** A peer that accepts TCP and never writes a byte. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function withPassword(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.password = PASSWORD;
  if (!parsed.username) parsed.username = 'postgres';
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

describe('identity-service (built) while its database is unreachable', () => {
  const issuer = createTestIssuer();
  const infra = testInfra();
  const generator = new PopulationGenerator({ seed: Date.now() ^ (process.pid << 8) });

  /** The service's environment on `databaseUrl` (the real database, a dead port, a silent peer or the proxy). */
  const baseEnv = (databaseUrl: string) => identityEnv(databaseUrl, issuer, { KAFKA_CLIENT_ID: uniqueName('identity-outage') });

  beforeAll(() => {
    expect(existsSync(MAIN)).toBe(true);
    expect(existsSync(MIGRATE)).toBe(true);
  });

  /** Runs main.js to its exit: code, time taken and what it printed. */
  async function bootToExit(env: Record<string, string>, timeoutMs = 30_000) {
    const started = Date.now();
    const child = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    return { code, signal, ms: Date.now() - started, lines: output.split('\n').filter((l) => l.trim() !== ''), output };
  }

  function expectOneJsonFailureLine(result: Awaited<ReturnType<typeof bootToExit>>) {
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    // Every line is JSON (kafkajs may warn on its own, in JSON too); exactly one reports the failure.
    const parsed = result.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
    const failures = parsed.filter((entry) => entry['msg'] === 'service failed to start');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 'fatal', service: 'identity-service' });
    expect(result.output).not.toContain(PASSWORD);
    return failures[0];
  }

  it('boot against a refused port: exits non-zero at once with one JSON line, no password', async () => {
    const url = withPassword(infra.postgresAdminUrl, '127.0.0.1', await freePort());
    const result = await bootToExit(baseEnv(url));
    const failure = expectOneJsonFailureLine(result);
    expect(JSON.stringify(failure)).toContain('ECONNREFUSED');
    expect(result.ms).toBeLessThan(ANSWER_WITHIN_MS);
  });

  it('boot against a silent peer: exits non-zero within the connect timeout with one JSON line, no password', async () => {
    const silent = await silentServer();
    try {
      const result = await bootToExit(baseEnv(withPassword(infra.postgresAdminUrl, '127.0.0.1', silent.port)));
      const failure = expectOneJsonFailureLine(result);
      expect(JSON.stringify(failure)).toMatch(/timeout/i);
      expect(result.ms).toBeLessThan(ANSWER_WITHIN_MS + 5_000);
    } finally {
      await silent.close();
    }
  });

  describe('running, with the database cut behind a proxy', () => {
    let db: TestDatabase | undefined;
    let proxy: DatabaseProxy | undefined;
    let service: ServiceProcess | undefined;
    let base = '';

    const auth = (scope: string) => facilityHeaders(issuer, FACILITY, scope);

    /** The next adult from this run's generator, under a fresh local id. */
    const registration = () => registrationOf(syntheticAdults(1, generator)[0] as SyntheticAdult, uniqueName('TN').replace(/[^a-z0-9]/gi, '').toUpperCase());

    const requests = {
      get: async () => fetch(`${base}/v1/patients/0190b7c2-7d3e-7000-8000-000000000000`, { headers: await auth('system/Patient.rs') }),
      fhir: async () => fetch(`${base}/fhir/Patient/0190b7c2-7d3e-7000-8000-000000000000`, { headers: await auth('system/Patient.rs') }),
      post: async () => postPatient(base, await auth('system/Patient.cu'), registration()),
    };

    /** Each request answers 503 with Retry-After within the bound, problem+json (FHIR: OperationOutcome). */
    async function expectFastUnavailable(): Promise<void> {
      for (const [name, send] of Object.entries(requests)) {
        const started = Date.now();
        const response = await send();
        const ms = Date.now() - started;
        const body = (await response.json()) as Record<string, unknown>;
        expect({ name, status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({ name, status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
        expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
        if (name === 'fhir') {
          expect(body).toMatchObject({ resourceType: 'OperationOutcome' });
        } else {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(body).toMatchObject({ type: 'https://lienthong.vn/problems/service-unavailable', status: 503, code: 'service-unavailable' });
          expect(JSON.stringify(body)).not.toMatch(/ECONN|timeout|127\.0\.0\.1|SELECT/i);
        }
      }
    }

    async function readiness(): Promise<{ status: number; postgres: string | undefined }> {
      const response = await fetch(`${base}/health/ready`);
      const body = (await response.json()) as { checks?: Record<string, { status: string }> };
      return { status: response.status, postgres: body.checks?.['postgres']?.status };
    }

    async function expectServingAgain(): Promise<void> {
      await expectEventually(async () => expect(await readiness()).toEqual({ status: 200, postgres: 'up' }), { timeoutMs: 20_000, intervalMs: 250 });
      // Connections that went bad were discarded: requests succeed again, quickly.
      await expectEventually(
        async () => {
          const started = Date.now();
          expect((await requests.get()).status).toBe(404);
          expect((await requests.post()).status).toBe(201);
          expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS);
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
    }

    beforeAll(async () => {
      db = await createTestDatabase('identity_outage');
      await runNodeScript(MIGRATE, baseEnv(db.url));
      const real = new URL(db.url);
      proxy = await DatabaseProxy.start({ host: real.hostname, port: Number(real.port || 5432) });
      service = await startServiceProcess(MAIN, baseEnv(withPassword(db.url, '127.0.0.1', proxy.port)));
      base = service.base;
    }, 90_000);

    afterAll(async () => {
      service?.kill();
      await proxy?.stop();
      await db?.drop();
    });

    it('serves through the proxy', async () => {
      expect(await readiness()).toEqual({ status: 200, postgres: 'up' });
      expect((await requests.post()).status).toBe(201);
      expect((await requests.get()).status).toBe(404);
    });

    it('refused: 503 + Retry-After within the bound, readiness false; back once the database is', async () => {
      await proxy?.refuse();
      await expectEventually(async () => expect(await readiness()).toEqual({ status: 503, postgres: 'down' }), { timeoutMs: 10_000, intervalMs: 250 });
      await expectFastUnavailable();
      await proxy?.restore();
      await expectServingAgain();
    }, 90_000);

    it('silent: 503 + Retry-After within the bound (no request hangs), readiness false; back once the database answers', async () => {
      proxy?.silence();
      await expectEventually(async () => expect(await readiness()).toEqual({ status: 503, postgres: 'down' }), { timeoutMs: 15_000, intervalMs: 250 });
      // Twice: the first round meets pooled connections gone quiet, the second new connections that are never answered.
      await expectFastUnavailable();
      await expectFastUnavailable();
      await proxy?.restore();
      await expectServingAgain();
    }, 120_000);

    it('shuts down within the grace period on SIGTERM while the database is silent (relay and probes do not hang it)', async () => {
      await proxy?.restore();
      await expectServingAgain();
      proxy?.silence();
      // A request that waits out its timeout (≈ 6 s): by then the outbox relay (polling every second)
      // and the readiness probe are stuck on the silent database too — what SIGTERM must not wait on.
      expect((await requests.get()).status).toBe(503);
      const running = service;
      if (!running) throw new Error('not running');
      const started = Date.now();
      expect(await running.terminate(20_000)).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(running.logs()).not.toContain(PASSWORD);
      for (const line of running.output.stdout.split('\n').filter((l) => l.trim() !== '')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    }, 60_000);
  });
});
