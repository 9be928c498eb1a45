import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';
import { type ConsentState } from '../../domain/decide';
import { type CachedState, ConsentStateCache } from '../../ports/consent-state-cache.port';

export interface RedisConsentStateCacheOptions {
  readonly url: string;
  /** Longest life of an entry (invalidation is the normal path; this bounds the unexpected). */
  readonly ttlSeconds: number;
  /** A cache slower than this is treated as absent for that call (the truth answers instead). */
  readonly commandTimeoutMs?: number;
}

const EPOCH_KEY = 'consent:epoch';
const genKey = (id: string) => `consent:gen:${id}`;
const stateKey = (epoch: string, id: string) => `consent:state:${epoch}:${id}`;

/** How soon a failed epoch bump is tried again while the client stays connected. */
const FLUSH_RETRY_MS = 1_000;

/** A put is refused when its `getMany` is older than this: the generation it carries may have lived and expired since. */
const PUT_WINDOW_MS = 10_000;

/**
 * Stores each entry only if the global epoch and the patient's generation are still the ones the
 * reader saw (atomically: an invalidation between the reader's read and this put wins).
 * KEYS: epoch, then per entry (generation key, state key). ARGV: ttl, then per entry (epoch, generation, value).
 */
const PUT_IF_FRESH = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local ttl = tonumber(ARGV[1])
local stored = 0
for i = 2, #KEYS, 2 do
  local a = ARGV[(i - 2) / 2 * 3 + 2]
  local g = ARGV[(i - 2) / 2 * 3 + 3]
  local v = ARGV[(i - 2) / 2 * 3 + 4]
  local current = redis.call('GET', KEYS[i]) or ''
  if a == epoch and g == current then
    redis.call('SET', KEYS[i + 1], v, 'EX', ttl)
    stored = stored + 1
  end
end
return stored`;

/** The token handed from `getMany` to `putMany`: epoch, generation, when it was read. */
interface Token {
  readonly epoch: string;
  readonly gen: string;
  readonly readAt: number;
}
const encodeToken = (t: Token) => `${t.epoch}|${t.gen}|${t.readAt}`;
function decodeToken(token: string): Token | undefined {
  const [epoch, gen, readAt] = token.split('|');
  if (epoch === undefined || gen === undefined || readAt === undefined) return undefined;
  return { epoch, gen, readAt: Number(readAt) };
}

class CacheTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
  }
}

/**
 * The decision point's shared cache in Redis. Keys: `consent:state:<epoch>:<id>` (the state, prefixed
 * with the generation it was stored under), `consent:gen:<id>` (bumped by every invalidation) and
 * `consent:epoch` (bumped to drop everything at once).
 *
 * - An entry is a hit only while its patient's generation is unchanged: an invalidation (INCR) makes
 *   every older entry unreachable on every replica, whatever epoch a replica believes in; the DEL only
 *   frees the memory.
 * - Redis errors never fail a decision: they read as misses. An invalidation that could not reach
 *   Redis is remembered; until the epoch has been bumped after reconnecting, this process neither
 *   reads nor writes the cache (entries that invalidation should have dropped become unreachable).
 * - A dedicated client: no offline queue, commands bounded by a short deadline, reconnecting in the
 *   background; availability changes are logged once, not per request.
 */
export class RedisConsentStateCache extends ConsentStateCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ConsentStateCache');
  private readonly client: RedisClientType;
  private readonly ttlSeconds: number;
  private readonly genTtlSeconds: number;
  private readonly timeoutMs: number;
  /** The epoch seen last; every read checks it again (another replica may have bumped it). */
  private epoch = '0';
  /** An invalidation was lost: bump the epoch before using the cache again. */
  private flushNeeded = false;
  private flushing: Promise<void> | undefined;
  private available: boolean | undefined;
  private closed = false;

  constructor(options: RedisConsentStateCacheOptions) {
    super();
    this.ttlSeconds = options.ttlSeconds;
    // A generation must outlive every entry stored under it (and any put still in its window).
    this.genTtlSeconds = Math.max(options.ttlSeconds * 2, 3600);
    this.timeoutMs = options.commandTimeoutMs ?? 250;
    this.client = createClient({
      url: options.url,
      // Fail at once while disconnected: the truth answers instead of a queue waiting for Redis.
      disableOfflineQueue: true,
      pingInterval: 1_000,
      socket: {
        connectTimeout: 1_000,
        // A server that stops answering (paused, partitioned) closes the socket and starts a reconnect.
        socketTimeout: 5_000,
        reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000),
      },
    }) as RedisClientType;
    this.client.on('error', (error: unknown) => this.markUnavailable(error));
    this.client.on('ready', () => this.onReady());
  }

  onModuleInit(): void {
    // In the background: a cache that is down at boot is not a reason not to start.
    this.client.connect().catch((error: unknown) => this.markUnavailable(error));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.client.isOpen) await this.client.close().catch(() => this.client.destroy());
    else this.client.destroy();
  }

  /** True while reads and writes go to Redis (connected, nothing left to flush). */
  get usable(): boolean {
    return this.client.isReady && !this.flushNeeded && this.flushing === undefined && !this.closed;
  }

  async getMany(enterprisePatientIds: readonly string[]): Promise<CachedState[]> {
    const misses = (): CachedState[] => enterprisePatientIds.map((id) => ({ enterprisePatientId: id, state: undefined, generation: null }));
    if (enterprisePatientIds.length === 0 || !this.usable) return misses();
    const ids = enterprisePatientIds;
    const epoch = this.epoch;
    let reply: (string | null)[];
    try {
      reply = (await this.bounded(this.client.mGet([EPOCH_KEY, ...ids.map(genKey), ...ids.map((id) => stateKey(epoch, id))]), 'MGET')) as (string | null)[];
    } catch (error) {
      this.commandFailed(error);
      return misses();
    }
    const seenEpoch = reply[0] ?? '0';
    const sameEpoch = seenEpoch === epoch;
    if (!sameEpoch) this.epoch = seenEpoch;
    const readAt = Date.now();
    return ids.map((id, i) => {
      const gen = reply[1 + i] ?? '';
      const generation = encodeToken({ epoch: seenEpoch, gen, readAt });
      const raw = sameEpoch ? reply[1 + ids.length + i] : null;
      return { enterprisePatientId: id, state: raw ? parseEntry(raw, id, gen) : undefined, generation };
    });
  }

  async putMany(entries: readonly CachedState[]): Promise<void> {
    if (!this.usable) return;
    const now = Date.now();
    const keys: string[] = [EPOCH_KEY];
    const args: string[] = [String(this.ttlSeconds)];
    for (const entry of entries) {
      if (entry.state === undefined || entry.generation === null) continue;
      const token = decodeToken(entry.generation);
      if (token === undefined || now - token.readAt > PUT_WINDOW_MS) continue;
      const id = entry.enterprisePatientId;
      keys.push(genKey(id), stateKey(token.epoch, id));
      args.push(token.epoch, token.gen, `${token.gen}\n${JSON.stringify(entry.state)}`);
    }
    if (keys.length === 1) return;
    try {
      await this.bounded(this.client.eval(PUT_IF_FRESH, { keys, arguments: args }), 'put');
    } catch (error) {
      // Not stored: the next decision reads the truth again.
      this.commandFailed(error);
    }
  }

  async invalidate(enterprisePatientIds: readonly string[]): Promise<void> {
    const ids = [...new Set(enterprisePatientIds)];
    if (ids.length === 0) return;
    if (!this.client.isReady || this.closed) {
      this.loseInvalidation();
      return;
    }
    const epoch = this.epoch;
    const multi = this.client.multi();
    for (const id of ids) multi.incr(genKey(id)).expire(genKey(id), this.genTtlSeconds).del(stateKey(epoch, id));
    try {
      await this.bounded(multi.exec(), 'invalidate');
    } catch (error) {
      this.commandFailed(error);
      this.loseInvalidation();
    }
  }

  /** Drops every entry at once (a listener that may have missed notifications calls this). */
  async invalidateAll(): Promise<void> {
    this.loseInvalidation();
    await this.flushing;
  }

  private loseInvalidation(): void {
    if (!this.flushNeeded) this.logger.warn('a consent cache invalidation could not reach Redis: the cache is bypassed until its epoch is bumped');
    this.flushNeeded = true;
    if (this.client.isReady) void this.flush();
  }

  /** Bumps the epoch (every entry becomes unreachable), then lets this process use the cache again. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.flushNeeded && this.client.isReady && !this.closed) {
          try {
            // Cleared first: an invalidation lost while the INCR runs sets it again and loops.
            this.flushNeeded = false;
            this.epoch = String(await this.bounded(this.client.incr(EPOCH_KEY), 'INCR epoch'));
            this.logger.log('consent cache epoch bumped: entries from before the lost invalidation are unreachable');
          } catch (error) {
            this.flushNeeded = true;
            this.commandFailed(error);
            // Still connected (a slow server) gives no 'ready' to try again on: try again shortly.
            if (!this.closed) setTimeout(() => void this.flush(), FLUSH_RETRY_MS).unref();
            return;
          }
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private onReady(): void {
    if (this.available !== true) this.logger.log('consent cache available (Redis connected)');
    this.available = true;
    if (this.flushNeeded) void this.flush();
  }

  private markUnavailable(error: unknown): void {
    if (this.closed) return;
    if (this.available !== false) this.logger.warn(`consent cache unavailable, decisions read Postgres until it is back (${describe(error)})`);
    this.available = false;
  }

  private commandFailed(error: unknown): void {
    // A command timing out on a connected client says the server is too slow to be worth it right now.
    this.markUnavailable(error);
  }

  private bounded<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheTimeout(what, this.timeoutMs)), this.timeoutMs);
    });
    work.catch(() => undefined);
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}

function parseEntry(raw: string, id: string, gen: string): ConsentState | undefined {
  const newline = raw.indexOf('\n');
  // Stored under another generation: an invalidation came after it.
  if (newline < 0 || raw.slice(0, newline) !== gen) return undefined;
  try {
    const state = JSON.parse(raw.slice(newline + 1)) as ConsentState;
    return state.enterprisePatientId === id ? state : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as Error & { code?: string }).code ?? error.message;
  return String(error);
}

/** Provider factory: the service's Redis and the configured entry life. */
export function redisConsentStateCacheFrom(config: { readonly redis: { readonly url: string }; readonly consent: { readonly cacheTtlSeconds: number } }): RedisConsentStateCache {
  return new RedisConsentStateCache({ url: config.redis.url, ttlSeconds: config.consent.cacheTtlSeconds });
}
