import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type BreakerState, type ConsentClientMetrics } from './consent-client';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Binds the client's hooks to a prom-client registry (names prefixed `lienthong_consent_client_`,
 * labelled `client`). Get-or-create, so several clients or app instances in one process share the
 * metrics instead of failing on a second registration.
 */
export function prometheusConsentClientMetrics(registry: Registry, client = 'consent'): ConsentClientMetrics {
  const calls =
    (registry.getSingleMetric('lienthong_consent_client_call_seconds') as Histogram<'client' | 'endpoint' | 'outcome'> | undefined) ??
    new Histogram({
      name: 'lienthong_consent_client_call_seconds',
      help: 'Calls to the consent decision point by endpoint and outcome (ok, rejected, timeout, connection, http-error, invalid-response, token, short-circuited)',
      labelNames: ['client', 'endpoint', 'outcome'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
  const decisions =
    (registry.getSingleMetric('lienthong_consent_client_decisions_total') as Counter<'client' | 'decision' | 'reason'> | undefined) ??
    new Counter({
      name: 'lienthong_consent_client_decisions_total',
      help: 'Decisions handed to callers by answer and reason; reason consent-unavailable counts the ones failed closed',
      labelNames: ['client', 'decision', 'reason'],
      registers: [registry],
    });
  const state =
    (registry.getSingleMetric('lienthong_consent_client_breaker_state') as Gauge<'client'> | undefined) ??
    new Gauge({
      name: 'lienthong_consent_client_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open (answering deny without asking)',
      labelNames: ['client'],
      registers: [registry],
    });
  return {
    call: (endpoint, outcome, seconds) => calls.observe({ client, endpoint, outcome }, seconds),
    decided: (decision, reason, count) => decisions.inc({ client, decision, reason }, count),
    breakerState: (s) => state.set({ client }, STATE_VALUE[s]),
  };
}
