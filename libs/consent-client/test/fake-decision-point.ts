import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Decision, type DecisionQuery } from '@lienthong/contracts';

export interface Received {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: { queries?: DecisionQuery[] } & Partial<DecisionQuery>;
}

/** What the fake answers one request with: a status and a raw body, or `hang` (never answers). */
export type Reply = { readonly status: number; readonly body: string } | 'hang';
export type Behaviour = (request: Received) => Reply;

/**
 * Stands for consent-service's decision point on a real socket, in whichever fault mode a test sets:
 * answering, hanging, failing, talking nonsense. Counts what reaches it.
 */
export class FakeDecisionPoint {
  readonly received: Received[] = [];
  behaviour: Behaviour = answer((q) => permit(q));
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const received: Received = { path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text) as Received['body'] };
        this.received.push(received);
        const reply = this.behaviour(received);
        if (reply === 'hang') return; // closed at teardown
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      });
    });
  }

  static async start(): Promise<FakeDecisionPoint> {
    const fake = new FakeDecisionPoint();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An address where nothing listens: connections are refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Answers like the real service: one decision per query, the batch as `{ decisions }`. */
export function answer(decide: (q: DecisionQuery) => Decision): Behaviour {
  return ({ path, body }) => {
    if (path === '/v1/decisions/batch') return json(200, { decisions: (body.queries ?? []).map(decide) });
    return json(200, decide(body as DecisionQuery));
  };
}

export function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) };
}

/** A permit resting on a "consent" whose id is the patient's: lets a test check which answer belongs to which query. */
export function permit(q: DecisionQuery): Decision {
  return {
    decision: 'permit',
    reason: 'consent-granted',
    basis: [{ consentId: q.enterprisePatientId, version: 2 }],
    obligations: [{ code: 'exclude-categories', categories: ['hiv'] }],
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
