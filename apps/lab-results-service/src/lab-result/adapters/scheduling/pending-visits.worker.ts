import { counter, gauge, InjectConfig } from '@lienthong/platform';
import { UnitOfWork } from '@lienthong/persistence';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { VisitStore } from '../../ports/visit-store.port';
import { PENDING_BATCH, ResolvePendingVisitsUseCase } from '../../use-cases/resolve-pending-visits/resolve-pending-visits.use-case';

/** While passes keep failing, one reminder per this many failed passes (the first failure is always logged). */
const REMIND_EVERY = 60;

/**
 * Resolves the visits waiting for their patient, in every replica, every LAB_PENDING_RETRY_MS: visits
 * are claimed row by row (SKIP LOCKED) with a lease, so replicas share them, and a visit accepted before
 * a crash is picked up by whichever process runs next. One pass at a time; a full batch is followed at
 * once by the next. A failed pass (the database away) is logged and the next tick tries again.
 */
@Injectable()
export class PendingVisitsWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PendingVisitsWorker.name);
  private readonly resolved = counter({ name: 'lienthong_lab_pending_visits_settled_total', help: 'Waiting visits settled by the retry worker, by outcome', labelNames: ['outcome'] });
  private readonly failures = counter({ name: 'lienthong_lab_pending_pass_failures_total', help: 'Retry-worker passes that failed (retried next tick)' });
  private readonly waiting = gauge({ name: 'lienthong_lab_visits_waiting', help: 'Visits waiting for identity to resolve their patient' });
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = 0;

  constructor(
    private readonly resolve: ResolvePendingVisitsUseCase,
    private readonly uow: UnitOfWork,
    private readonly visits: VisitStore,
    @InjectConfig() config: LabResultsConfig,
  ) {
    this.pollMs = config.lab.pendingRetryMs;
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops polling and waits for a pass in flight, before the pool and the relay go away. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        this.schedule(this.pollMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      for (let claimed = PENDING_BATCH; claimed === PENDING_BATCH && !this.stopped; ) {
        const result = await this.resolve.execute(PENDING_BATCH);
        claimed = result.claimed;
        for (const [outcome, n] of Object.entries(result.outcomes)) if (n > 0) this.resolved.inc({ outcome }, n);
        // Identity still down: the rest waits for the next tick.
        if (result.outcomes['pending-patient'] > 0) break;
      }
      this.waiting.set(await this.uow.read((db) => this.visits.countWaiting(db)));
      if (this.failing > 0) this.logger.log(`pending-visit worker recovered after ${this.failing} failed pass(es)`);
      this.failing = 0;
    } catch (error) {
      this.failures.inc();
      if (this.failing % REMIND_EVERY === 0) {
        this.logger.error(`pending-visit worker failed (${this.failing + 1} in a row), retrying every ${this.pollMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.failing += 1;
    }
  }
}
