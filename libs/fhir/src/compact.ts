/**
 * FHIR JSON forbids empty arrays and elements without content (R4 §2.6.2 "JSON": an element is present
 * only with a value or children). Builders can then write `identifier: ids` or `telecom: phone && […]`
 * freely and compact once: undefined members, empty arrays, and objects left with no members are
 * dropped, recursively. Non-plain objects (Date, Buffer…) are left as they are.
 */
export function compact<T>(value: T): T {
  return (prune(value) ?? (Array.isArray(value) ? [] : {})) as T;
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const pruned = prune(member);
    if (pruned !== undefined) out[key] = pruned;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
