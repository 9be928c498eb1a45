import { counter, InjectConfig } from '@lienthong/platform';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type ConsentConfig } from '../../../config/consent.config';
import { EXPIRY_BATCH, PublishDueExpiriesUseCase } from '../../use-cases/publish-due-expiries/publish-due-expiries.use-case';

/** While the job keeps failing, one reminder per this many failed polls (the first failure is always logged). */
const REMIND_EVERY = 60;

/**
 * Runs the expiry job in every replica, every `consent.expiryPollMs`: announcing an end is claimed
 * row by row (SKIP LOCKED), so replicas share the work instead of repeating it, and a process that
 * starts after an end announces it on its first poll. One run at a time (the next is scheduled when
 * the last finished); a failed run is logged and the next tick tries again.
 */
@Injectable()
export class ExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpiryScheduler.name);
  private readonly published = counter({ name: 'lienthong_consent_expiries_published_total', help: 'Ended grant periods announced on consent.v1 by this process' });
  private readonly failures = counter({ name: 'lienthong_consent_expiry_poll_failures_total', help: 'Expiry polls that failed (retried next tick)' });
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = 0;

  constructor(
    private readonly publish: PublishDueExpiriesUseCase,
    @InjectConfig() config: ConsentConfig,
  ) {
    this.pollMs = config.consent.expiryPollMs;
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops polling and waits for a run in flight, before the pool and the relay go away. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => {
        this.running = undefined;
        this.schedule(this.pollMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      // A full batch means more may be due (a backlog after downtime): keep going until one is not.
      for (let n = EXPIRY_BATCH; n === EXPIRY_BATCH && !this.stopped; ) {
        n = await this.publish.execute(EXPIRY_BATCH);
        if (n > 0) this.published.inc(n);
      }
      if (this.failing > 0) this.logger.log(`consent expiry job recovered after ${this.failing} failed poll(s)`);
      this.failing = 0;
    } catch (error) {
      this.failures.inc();
      if (this.failing % REMIND_EVERY === 0) {
        this.logger.error(`consent expiry job failed (${this.failing + 1} in a row), retrying every ${this.pollMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.failing += 1;
    }
  }
}
