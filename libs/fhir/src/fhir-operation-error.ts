import { type fhir4 } from './r4';

type IssueType = fhir4.OperationOutcomeIssue['code'];

/**
 * An answer an operation's specification prescribes to the letter — status, issue code and wording —
 * where the generic error mapping would pick something else. IHE ITI-83 ($ihe-pix), for one, requires
 * 400 `code-invalid` "sourceIdentifier Assigning Authority not found" and 403 `code-invalid`
 * "targetSystem not found". Thrown by a FHIR adapter only; `@lienthong/fhir/nest`'s OperationOutcomeFilter renders it as is.
 */
export class FhirOperationError extends Error {
  override readonly name = 'FhirOperationError';
  constructor(
    readonly status: number,
    readonly issueType: IssueType,
    readonly diagnostics: string,
  ) {
    super(diagnostics);
  }
}
