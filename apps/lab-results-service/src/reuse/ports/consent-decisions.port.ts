import { type Decision, type DecisionQuery } from '@lienthong/contracts';

/**
 * consent-service's decision point, asked in ONE batch call per reuse check. A decision it could not
 * get is a deny (`consent-unavailable`), so a reuse check fails closed; only a request consent-service
 * refuses as wrong (a misconfiguration) throws, as LabResultError `dependency-unavailable`.
 */
export abstract class ConsentDecisions {
  /** The decisions, in the order asked. */
  abstract decideMany(queries: readonly DecisionQuery[]): Promise<Decision[]>;
}
