import { issueExpression, issueTypeForStatus, operationOutcome, outcomeFromError } from './operation-outcome';

describe('OperationOutcome', () => {
  it('one issue per broken rule, each with a FHIRPath expression, and the error code as details', () => {
    const outcome = outcomeFromError({
      status: 422,
      title: 'Validation failed',
      detail: 'The request is not valid; see errors.',
      coding: { system: 'https://lienthong.vn/problems', code: 'validation-error' },
      errors: [
        { pointer: '#/identifier/0/value', rule: 'cccd.format', message: 'CCCD is 12 digits' },
        { field: 'identifier', rule: 'fhir.token', message: 'identifier must be system|value' },
      ],
    });
    const details = { coding: [{ system: 'https://lienthong.vn/problems', code: 'validation-error' }], text: 'Validation failed' };
    expect(outcome).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details, diagnostics: 'cccd.format: CCCD is 12 digits', expression: ['identifier[0].value'] },
        { severity: 'error', code: 'invalid', details, diagnostics: 'fhir.token: identifier must be system|value', expression: ['http.identifier'] },
      ],
    });
  });

  it('a single issue with the detail when there is no rule list, and no empty members', () => {
    expect(outcomeFromError({ status: 404, title: 'Not found', detail: 'no such patient' })).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'no such patient' }],
    });
    expect(outcomeFromError({ status: 500, title: 'Internal server error', errors: [] })).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: 'Internal server error' }],
    });
  });

  it('maps statuses onto the IssueType value set', () => {
    expect([400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503].map(issueTypeForStatus)).toEqual([
      'invalid',
      'login',
      'forbidden',
      'not-found',
      'not-supported',
      'conflict',
      'too-costly',
      'not-supported',
      'invalid',
      'throttled',
      'exception',
      'exception',
      'transient',
    ]);
  });

  it('turns JSON pointers into FHIRPath, unescaping RFC 6901 segments', () => {
    expect(issueExpression({ pointer: '#/parameter/1/resource/name/0/given/2' })).toBe('parameter[1].resource.name[0].given[2]');
    expect(issueExpression({ pointer: '/resourceType' })).toBe('resourceType');
    expect(issueExpression({ pointer: '#/a~1b/c~0d' })).toBe('a/b.c~d');
    expect(issueExpression({ pointer: '#' })).toBeUndefined();
    expect(issueExpression({ field: 'targetSystem' })).toBe('http.targetSystem');
    expect(issueExpression({})).toBeUndefined();
  });

  it('builds an outcome from hand-written issues', () => {
    expect(operationOutcome({ severity: 'warning', code: 'informational', diagnostics: 'phone ignored', expression: [] })).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning', code: 'informational', diagnostics: 'phone ignored' }],
    });
  });
});
