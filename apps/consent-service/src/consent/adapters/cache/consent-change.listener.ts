import { postgresClientConfig } from '@lienthong/persistence';
import { InjectConfig } from '@lienthong/platform';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { type ConsentConfig } from '../../../config/consent.config';
import { CONSENT_CHANGE_CHANNEL } from '../persistence/pg-consent-change.signal';
import { RedisConsentStateCache } from './redis-consent-state.cache';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_BACKOFF_MS = 5_000;

/**
 * Every replica's ear on `ConsentChangeSignal`: a Postgres connection of its own LISTENing on the
 * channel the signal notifies at commit; each patient id heard drops that patient's cached state
 * (ids heard together are invalidated together). The connection reconnects with backoff; notifications
 * sent while it was away are lost, so after a reconnect the whole cache is flushed (epoch bump).
 */
@Injectable()
export class ConsentChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConsentChangeListener');
  private client: Client | undefined;
  private retries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Listened before: a new connection may have missed notifications. */
  private listenedBefore = false;
  private pending = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(
    @InjectConfig() private readonly config: ConsentConfig,
    private readonly cache: RedisConsentStateCache,
  ) {}

  onApplicationBootstrap(): void {
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.draining;
  }

  /** True while LISTENing (for tests and diagnostics). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ ...postgresClientConfig(this.config.db), application_name: 'consent-change-listener' });
    client.on('notification', (message: Notification) => this.heard(message.payload));
    client.on('error', (error: Error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CONSENT_CHANGE_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retries = 0;
    if (this.listenedBefore) {
      this.logger.log('listening for consent changes again; the decision cache is flushed (changes may have been missed)');
      await this.cache.invalidateAll();
    }
    this.listenedBefore = true;
  }

  private lost(client: Client, error?: unknown): void {
    if (client.listenerCount('end') === 0) return; // already handled
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    const wasListening = this.client === client;
    if (wasListening) this.client = undefined;
    if (this.closed) return;
    if (wasListening || this.retries === 0) {
      const reason = error instanceof Error ? ((error as Error & { code?: string }).code ?? error.message) : 'connection ended';
      this.logger.warn(`not listening for consent changes (${reason}); reconnecting`);
    }
    const delay = Math.min(100 * 2 ** this.retries, MAX_BACKOFF_MS);
    this.retries += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private heard(payload: string | undefined): void {
    const id = payload?.toLowerCase();
    if (id === undefined || !UUID.test(id)) return;
    this.pending.add(id);
    this.draining ??= this.drain();
  }

  /** Invalidates what was heard, in batches: a burst of notifications costs a few Redis round trips. */
  private async drain(): Promise<void> {
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.size > 0) {
        const ids = [...this.pending];
        this.pending = new Set();
        await this.cache.invalidate(ids);
      }
    } finally {
      this.draining = undefined;
    }
  }
}
