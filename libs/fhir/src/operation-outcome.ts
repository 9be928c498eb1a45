import { compact } from './compact';
import { type fhir4 } from './r4';

export type IssueType = fhir4.OperationOutcomeIssue['code'];

/** One broken input rule: a JSON pointer into the body (`#/name/0`) or a query/path/header name. */
export interface OutcomeIssueSource {
  readonly pointer?: string;
  readonly field?: string;
  readonly rule: string;
  readonly message: string;
}

/**
 * What an error says, transport-neutral; the platform's problem details have this shape, so an
 * OperationOutcome and a problem+json document for the same error never disagree.
 */
export interface OutcomeSource {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  /** The stable error code, carried as `issue.details.coding` so FHIR clients can switch on it. */
  readonly coding?: fhir4.Coding;
  readonly errors?: readonly OutcomeIssueSource[];
}

/** HTTP status → the closest IssueType (R4 valueset issue-type). */
export function issueTypeForStatus(status: number): IssueType {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
    case 415:
      return 'not-supported';
    case 409:
      return 'conflict';
    case 413:
      return 'too-costly';
    case 429:
      return 'throttled';
    case 503:
      return 'transient';
    default:
      return 'exception';
  }
}

/**
 * A JSON pointer into the request body → the simple FHIRPath OperationOutcome.issue.expression
 * expects (`#/identifier/0/value` → `identifier[0].value`); a parameter or header → `http.<name>`,
 * as R4 prescribes for HTTP-level issues. Undefined when the issue points at the whole body.
 */
export function issueExpression(issue: Pick<OutcomeIssueSource, 'pointer' | 'field'>): string | undefined {
  if (issue.pointer !== undefined) {
    const segments = issue.pointer
      .replace(/^#/, '')
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let path = '';
    for (const segment of segments) path += /^\d+$/.test(segment) ? `[${segment}]` : `${path === '' ? '' : '.'}${segment}`;
    return path === '' ? undefined : path;
  }
  return issue.field === undefined ? undefined : `http.${issue.field}`;
}

/** OperationOutcome.issue is 1..*: the signature makes an empty outcome unwritable. */
export function operationOutcome(first: fhir4.OperationOutcomeIssue, ...more: fhir4.OperationOutcomeIssue[]): fhir4.OperationOutcome {
  return compact({ resourceType: 'OperationOutcome', issue: [first, ...more] });
}

/** An error → OperationOutcome: one issue per broken rule, or one issue carrying the detail. */
export function outcomeFromError(source: OutcomeSource): fhir4.OperationOutcome {
  const code = issueTypeForStatus(source.status);
  const details = source.coding === undefined ? undefined : { coding: [source.coding], text: source.title };
  const [first, ...more] = (source.errors ?? []).map((e): fhir4.OperationOutcomeIssue => {
    const expression = issueExpression(e);
    return { severity: 'error', code, details, diagnostics: `${e.rule}: ${e.message}`, expression: expression === undefined ? undefined : [expression] };
  });
  return first === undefined ? operationOutcome({ severity: 'error', code, details, diagnostics: source.detail ?? source.title }) : operationOutcome(first, ...more);
}
