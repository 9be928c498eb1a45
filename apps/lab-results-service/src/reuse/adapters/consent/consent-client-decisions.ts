import { ConsentClient, ConsentRequestError, prometheusConsentClientMetrics } from '@lienthong/consent-client';
import { type Decision, type DecisionQuery } from '@lienthong/contracts';
import { InjectConfig, metricsRegistry } from '@lienthong/platform';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { CONSENT_SCOPES, ServiceToken } from '../../../lab-result/ports/service-token.port';
import { ConsentDecisions } from '../../ports/consent-decisions.port';

/**
 * The decision point through @lienthong/consent-client (`POST /v1/decisions/batch`, a deadline of
 * LAB_CALL_TIMEOUT_MS, a circuit breaker), as lab-results-service with `lienthong/consent.decide`.
 * Fails closed: the client answers `consent-unavailable` (a deny) for what it cannot get, and the
 * check answers consent-denied. A 4xx — a bug or a misconfiguration here (a token without the scope)
 * — is not hidden as a deny, as the client intends: logged as an error, the check fails with a 503
 * and stores nothing.
 */
@Injectable()
export class ConsentClientDecisions extends ConsentDecisions implements OnApplicationShutdown {
  private readonly logger = new Logger(ConsentClientDecisions.name);
  private readonly client: ConsentClient;

  constructor(tokens: ServiceToken, @InjectConfig() config: LabResultsConfig) {
    super();
    this.client = new ConsentClient({
      baseUrl: config.lab.consentUrl,
      token: () => tokens.get(CONSENT_SCOPES),
      timeoutMs: config.lab.callTimeoutMs,
      metrics: prometheusConsentClientMetrics(metricsRegistry),
      logger: { info: (msg, fields) => this.logger.log({ msg, ...fields }), warn: (msg, fields) => this.logger.warn({ msg, ...fields }) },
    });
  }

  async decideMany(queries: readonly DecisionQuery[]): Promise<Decision[]> {
    try {
      return await this.client.decideMany(queries);
    } catch (error) {
      if (!(error instanceof ConsentRequestError)) throw error;
      this.logger.error(`consent-service refused the reuse check's decision request: ${error.message}`);
      throw new LabResultError(LabResultErrorCode.DependencyUnavailable, `consent-service refused lab-results-service's decision request (${error.status ?? 'invalid query'}): a configuration to fix`);
    }
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
