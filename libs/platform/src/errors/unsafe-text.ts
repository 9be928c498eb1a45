import type { ValidationIssue } from './domain-error';
import { toJsonPointer } from './json-pointer';

/**
 * Where a string came from decides which characters it may hold:
 * - `body`: JSON values are free text (an address line, a note, FHIR narrative) and may span lines,
 *   so TAB, LF and CR are allowed there; every other C0 control (NUL above all: Postgres cannot
 *   store it in text and answers with an error), DEL and the C1 controls are not — they are never
 *   typed by a person, and terminal escapes in a name end up in someone's log viewer.
 * - `query` and `param`: identifiers, codes and search terms, never multi-line: no control
 *   character at all. Property names (a body's or a query's) follow the same stricter rule.
 * - Everywhere: no lone UTF-16 surrogate (`"\ud800"` is valid JSON, but not a character; Postgres and
 *   every UTF-8 encoder would store it as U+FFFD, silently changing what the client sent).
 * - Everywhere: no bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069). No
 *   Vietnamese text needs one, and in a reason or a name shown to a steward they make the text read
 *   other than it is stored ("Trojan Source"). The marks (U+200E, U+200F) stay allowed.
 */
export type TextLocation = 'body' | 'query' | 'param';

// Matching control characters is the point of these two patterns.
// eslint-disable-next-line no-control-regex
const CONTROL_IN_FREE_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TOKEN = /[\u0000-\u001F\u007F-\u009F]/;
/** With the `u` flag a well-formed pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** A request with thousands of bad strings needs only a few named to be fixed. */
const MAX_ISSUES = 20;

/**
 * Every string in `value` (and every property name) that holds a character its location forbids, as
 * validation issues: a JSON pointer for the body, the parameter name for query and path parameters
 * (`name` when the value is one named parameter). The message names the code point, never the value:
 * it may be patient data. Walks iteratively, so a deeply nested body cannot overflow the stack.
 */
export function findUnsafeText(value: unknown, location: TextLocation, name?: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // Each node knows its parent and key: the path is built only for an issue, so the walk is linear in
  // the size of the value however deep it nests (copying the path at every level made it quadratic —
  // minutes of CPU for a 200 KB body of nested arrays).
  const root: Node = { value, parent: undefined, key: name };
  const stack: Node[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const node = stack.pop() as Node;
    const current = node.value;
    if (typeof current === 'string') {
      const issue = textIssue(current, location === 'body' ? CONTROL_IN_FREE_TEXT : CONTROL_IN_TOKEN);
      if (issue) issues.push(locate(issue, location, pathOf(node)));
      continue;
    }
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const entries = Array.isArray(current) ? current.map((child, index) => [String(index), child] as const) : Object.entries(current);
    // Reversed onto the stack, so issues come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as readonly [string, unknown];
      const keyIssue = Array.isArray(current) ? undefined : textIssue(key, CONTROL_IN_TOKEN);
      if (keyIssue) {
        // The bad key cannot be part of a usable pointer: name the object that holds it.
        issues.push(locate({ ...keyIssue, message: `a property name ${keyIssue.message}` }, location, pathOf(node)));
        continue;
      }
      stack.push({ value: child, parent: node, key });
    }
  }
  return issues.slice(0, MAX_ISSUES);
}

/** A value met on the walk, with how it was reached (`key` undefined only at an unnamed root). */
interface Node {
  readonly value: unknown;
  readonly parent: Node | undefined;
  readonly key: string | undefined;
}

function pathOf(node: Node): string[] {
  const path: string[] = [];
  for (let at: Node | undefined = node; at !== undefined; at = at.parent) if (at.key !== undefined) path.push(at.key);
  return path.reverse();
}

function textIssue(text: string, forbidden: RegExp): Omit<ValidationIssue, 'pointer' | 'field'> | undefined {
  const control = forbidden.exec(text);
  if (control) {
    const codePoint = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return { rule: 'control-character', message: `must not contain control characters (${codePoint})` };
  }
  if (LONE_SURROGATE.test(text)) {
    return { rule: 'lone-surrogate', message: 'must be valid Unicode text (it holds an unpaired UTF-16 surrogate)' };
  }
  const bidi = BIDI_CONTROL.exec(text);
  if (bidi) {
    return { rule: 'bidi-control', message: `must not contain bidirectional controls (U+${bidi[0].charCodeAt(0).toString(16).toUpperCase()})` };
  }
  return undefined;
}

function locate(issue: Omit<ValidationIssue, 'pointer' | 'field'>, location: TextLocation, path: readonly string[]): ValidationIssue {
  if (location === 'body') return { pointer: toJsonPointer(path), ...issue };
  // A query or path parameter is named by its top-level name (`identifier`, not `identifier.0`).
  return { field: path[0] ?? location, ...issue };
}
