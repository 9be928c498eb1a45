import { ACT_FOR_FACILITY_HEADER, InjectConfig, PURPOSE_OF_USE_HEADER } from '@lienthong/platform';
import { type PurposeOfUse } from '@lienthong/vn-standards';
import { Injectable, Logger } from '@nestjs/common';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { ServiceToken } from '../../../lab-result/ports/service-token.port';
import { PatientLookup, type PatientQuery } from '../../ports/patient-lookup.port';

/** A lookup needs to read patients and to speak for the requester; never to register them. */
const LOOKUP_SCOPES: readonly string[] = ['system/Patient.rs', 'lienthong/act-for'];

const unavailable = (detail: string) => new LabResultError(LabResultErrorCode.DependencyUnavailable, `identity-service could not look the patient up (${detail}); try again`);

/**
 * identity-service's search over HTTP — `GET {LAB_IDENTITY_URL}/v1/patients?identifier=cccd|…` or
 * `?facility=&localId=` — as lab-results-service (system/Patient.rs + lienthong/act-for) speaking for
 * the requesting facility, within LAB_CALL_TIMEOUT_MS. Without the cross-reference scope identity
 * shows a facility only the patients it holds a link to: the check finds who the requester may find.
 * A merged patient comes back as its survivor. Timeouts, refused connections, 5xx, 408, 429 and our
 * own credentials refused are `dependency-unavailable` (503). Logs carry no identifier.
 */
@Injectable()
export class HttpPatientLookup extends PatientLookup {
  private readonly logger = new Logger(HttpPatientLookup.name);
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

  async find(query: PatientQuery, actingFor: string, purpose: PurposeOfUse): Promise<string | undefined> {
    const url = new URL(this.url);
    if (query.by === 'cccd') url.searchParams.set('identifier', `cccd|${query.cccd}`);
    else {
      url.searchParams.set('facility', query.facilityCode);
      url.searchParams.set('localId', query.localId);
    }
    let response: Response;
    try {
      const token = await this.tokens.get(LOOKUP_SCOPES);
      response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', [ACT_FOR_FACILITY_HEADER]: actingFor, [PURPOSE_OF_USE_HEADER]: purpose },
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unavailable(error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? `no answer within ${this.timeoutMs} ms` : 'unreachable');
    }
    if (response.status === 200) {
      const body = (await response.json().catch(() => undefined)) as { items?: { enterprisePatientId?: unknown }[] } | undefined;
      const ids = [...new Set((body?.items ?? []).map((p) => p.enterprisePatientId).filter((id): id is string => typeof id === 'string'))];
      if (body?.items === undefined) throw unavailable('an answer without items');
      if (ids.length > 1) {
        throw new LabResultError(LabResultErrorCode.Validation, 'several patients match', [
          { pointer: '#/patient', rule: 'ambiguous', message: 'identity knows several patients by this identifier: give the enterprise patient id' },
        ]);
      }
      return ids[0];
    }
    if (response.status === 422 || response.status === 400) {
      // identity refuses the identifier itself (the DTO checked its shape; identity may know more).
      throw new LabResultError(LabResultErrorCode.Validation, 'identity-service refused the identifier', [
        { pointer: query.by === 'cccd' ? '#/patient/cccd' : '#/patient/localId', rule: 'refused-by-identity', message: 'identity-service refused this identifier' },
      ]);
    }
    if (response.status === 401 || response.status === 403) {
      this.logger.error(`identity-service refused lab-results-service's lookup (${response.status}): check LAB_SERVICE_TOKEN_KEY_FILE and the act-for grant`);
    }
    throw unavailable(`status ${response.status}`);
  }
}
