import { ACT_FOR_FACILITY_HEADER, InjectConfig } from '@lienthong/platform';
import { Injectable, Logger } from '@nestjs/common';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { type VisitDemographics } from '../../domain/demographics';
import { PatientResolver, type PatientResolution } from '../../ports/patient-resolver.port';
import { IDENTITY_SCOPES, ServiceToken } from '../../ports/service-token.port';

interface Problem {
  readonly detail?: string;
  readonly errors?: readonly { readonly pointer?: string; readonly field?: string; readonly rule?: string; readonly message?: string }[];
}

/** Statuses that say the visit's data is wrong: the visit is rejected. Everything else is retried. */
const REFUSALS = new Set([400, 404, 409, 422]);

/**
 * identity-service's register-or-link over HTTP: `POST {LAB_IDENTITY_URL}/v1/patients` with XML1's
 * patient, as lab-results-service (its own token: system/Patient.cu + lienthong/act-for) speaking for
 * the sending facility in X-Act-For-Facility, within LAB_CALL_TIMEOUT_MS. 400/404/409/422 refuse the
 * visit; a timeout, a refused connection, 5xx, 408, 429 — and 401/403, our own credentials refused, a
 * configuration to fix rather than the visit's fault — leave it waiting. Logs carry no patient data.
 */
@Injectable()
export class HttpPatientResolver extends PatientResolver {
  private readonly logger = new Logger(HttpPatientResolver.name);
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly tokens: ServiceToken,
    @InjectConfig() config: LabResultsConfig,
  ) {
    super();
    this.url = new URL('/v1/patients', config.lab.identityUrl).toString();
    this.timeoutMs = config.lab.callTimeoutMs;
  }

  async registerOrLink(facilityCode: string, demographics: VisitDemographics, idempotencyKey: string): Promise<PatientResolution> {
    let response: Response;
    try {
      const token = await this.tokens.get(IDENTITY_SCOPES);
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          [ACT_FOR_FACILITY_HEADER]: facilityCode,
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(demographics),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? `timeout after ${this.timeoutMs} ms` : `unreachable: ${causeOf(error)}`;
      return { kind: 'unavailable', reason: `identity ${reason}` };
    }
    if (response.status === 200 || response.status === 201) {
      const body = (await response.json().catch(() => undefined)) as { enterprisePatientId?: unknown } | undefined;
      if (typeof body?.enterprisePatientId === 'string') return { kind: 'resolved', enterprisePatientId: body.enterprisePatientId };
      return { kind: 'unavailable', reason: `identity ${response.status} without an enterprisePatientId` };
    }
    const problem = (await response.json().catch(() => ({}))) as Problem;
    if (REFUSALS.has(response.status)) {
      const violations = (problem.errors ?? []).map((e) => ({ pointer: e.pointer ?? '#', rule: e.rule ?? 'invalid', message: e.message ?? '' }));
      return { kind: 'refused', status: response.status, detail: problem.detail ?? `status ${response.status}`, violations };
    }
    if (response.status === 401 || response.status === 403) {
      this.logger.error(`identity-service refused lab-results-service's credentials (${response.status}): check LAB_SERVICE_TOKEN_KEY_FILE and the act-for grant; visits wait`);
    }
    return { kind: 'unavailable', reason: `identity answered ${response.status}` };
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'error';
}
