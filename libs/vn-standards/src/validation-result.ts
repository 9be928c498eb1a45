/**
 * Validators return structured results instead of throwing: ingestion must report every broken
 * rule of a record at once (and keep the record for review), not stop at the first.
 */
export interface RuleViolation<Rule extends string = string> {
  readonly rule: Rule;
  readonly message: string;
}

export type Validated<T, Rule extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly RuleViolation<Rule>[] };

export function valid<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function invalid<Rule extends string>(
  ...errors: RuleViolation<Rule>[]
): { readonly ok: false; readonly errors: readonly RuleViolation<Rule>[] } {
  return { ok: false, errors };
}
