/**
 * SMART on FHIR scopes, Backend Services style: `<context>/<resource>.<permissions>`.
 * v2 permissions are letters in the order c r u d s (`system/Patient.rs`); the v1 forms `read`,
 * `write` and `*` are accepted and translated. `*` as the resource means every resource.
 */
export const PERMISSIONS = ['c', 'r', 'u', 'd', 's'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface ParsedScope {
  readonly context: string;
  readonly resource: string;
  readonly permissions: ReadonlySet<Permission>;
}

const SCOPE = /^(system|user|patient)\/(\*|[A-Za-z][A-Za-z0-9]*)\.([a-z*]+)$/;
const V1: Readonly<Record<string, readonly Permission[]>> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': PERMISSIONS,
};

/** Returns undefined for anything that is not a resource scope (openid, launch, malformed…). */
export function parseScope(scope: string): ParsedScope | undefined {
  const match = SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context = '', resource = '', perms = ''] = match;
  const v1 = V1[perms];
  if (v1) return { context, resource, permissions: new Set(v1) };
  // v2: each letter at most once, in c-r-u-d-s order.
  let last = -1;
  const permissions = new Set<Permission>();
  for (const letter of perms) {
    const index = PERMISSIONS.indexOf(letter as Permission);
    if (index <= last) return undefined;
    last = index;
    permissions.add(letter as Permission);
  }
  return permissions.size > 0 ? { context, resource, permissions } : undefined;
}

/** Space-separated scope claim (RFC 8693 / OAuth 2) or an array (some issuers send `scp`). */
export function splitScopes(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter((s) => s.length > 0);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/**
 * Liên Thông's own permissions that are not about one FHIR resource type — cross-facility knowledge
 * (`lienthong/patient.crossref`), MPI stewardship (`lienthong/mpi.steward`), audit reading
 * (`lienthong/audit.read`). They are granted verbatim: no wildcards, no implied permissions.
 */
const PLATFORM_SCOPE = /^lienthong\/[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export function isPlatformScope(scope: string): boolean {
  return PLATFORM_SCOPE.test(scope);
}

/** What @RequireScopes accepts: a SMART resource scope or a Liên Thông platform scope. */
export function isRequirableScope(scope: string): boolean {
  return isPlatformScope(scope) || parseScope(scope) !== undefined;
}

/** Does any granted scope cover every permission of `required`? (`.rs` grants `.r`; `*.cruds` grants all.) */
export function scopeSatisfies(granted: readonly string[], required: string): boolean {
  if (isPlatformScope(required)) return granted.includes(required);
  const need = parseScope(required);
  if (!need) throw new Error(`not a SMART resource scope: ${required}`);
  const covered = new Set<Permission>();
  for (const g of granted) {
    const have = parseScope(g);
    if (!have || have.context !== need.context) continue;
    if (have.resource !== '*' && have.resource !== need.resource) continue;
    for (const p of have.permissions) covered.add(p);
  }
  return [...need.permissions].every((p) => covered.has(p));
}

/** The required scopes the grant does not cover (empty when allowed). */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((r) => !scopeSatisfies(granted, r));
}
