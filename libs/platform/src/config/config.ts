import { z } from 'zod';

/**
 * Configuration is declared as a tree whose leaves name the environment variable they come from, so
 * one declaration gives the typed, grouped object, the error message (by variable name) and the
 * redacted dump (by secret flag).
 */
export interface EnvVar<T> {
  readonly kind: 'env';
  readonly variable: string;
  readonly schema: z.ZodType<T>;
  readonly secret: boolean;
  /** Method syntax on purpose: bivariant, so an EnvVar<string> is still an EnvVar<unknown>. */
  display?(value: T): unknown;
}

export interface ConfigSpec {
  readonly [key: string]: EnvVar<unknown> | ConfigSpec;
}

export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : S[K] extends ConfigSpec ? ConfigOf<S[K]> : never;
};

export interface EnvVarOptions {
  /** Never printed: the boot-time dump shows `[redacted]` (URLs keep everything but the password). */
  readonly secret?: boolean;
  /** How the dump shows a non-secret but unwieldy value (a PEM → its fingerprint). */
  readonly display?: (value: string) => unknown;
}

export function env<S extends z.ZodType>(variable: string, schema: S, options: EnvVarOptions = {}): EnvVar<z.output<S>> {
  return {
    kind: 'env',
    variable,
    schema: schema as z.ZodType<z.output<S>>,
    secret: options.secret ?? false,
    ...(options.display ? { display: options.display as (value: unknown) => unknown } : {}),
  };
}

function isEnvVar(node: EnvVar<unknown> | ConfigSpec): node is EnvVar<unknown> {
  return (node as EnvVar<unknown>).kind === 'env' && typeof (node as EnvVar<unknown>).variable === 'string';
}

export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Parses every leaf, collecting all problems before failing, so one boot attempt shows them all. */
export function parseConfig<S extends ConfigSpec>(spec: S, source: EnvSource): { config: ConfigOf<S>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: ConfigSpec): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      if (!isEnvVar(child)) {
        out[key] = walk(child);
        continue;
      }
      const raw = source[child.variable];
      // Compose files and k8s manifests often set a variable to "" to mean "not set".
      const value = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
      const result = child.schema.safeParse(value);
      if (result.success) {
        out[key] = result.data;
      } else {
        issues.push({ variable: child.variable, message: describe(result.error, value, child.secret) });
      }
    }
    return out;
  };
  const config = walk(spec) as ConfigOf<S>;
  return { config, issues };
}

function describe(error: z.ZodError, value: string | undefined, secret: boolean): string {
  if (value === undefined) return 'is required but not set';
  const reasons = error.issues.map((i) => i.message).join('; ');
  return secret ? `${reasons} (value hidden: secret)` : `${reasons} (got ${JSON.stringify(value)})`;
}

export const REDACTED = '[redacted]';

/** The config as it may be logged: secrets replaced, URL passwords masked. */
export function redactConfig<S extends ConfigSpec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  const walk = (node: ConfigSpec, values: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const value = values[key];
      if (!isEnvVar(child)) out[key] = walk(child, (value ?? {}) as Record<string, unknown>);
      else if (child.secret) out[key] = redactValue(value);
      else if (child.display && value !== undefined) out[key] = child.display(value);
      else out[key] = maskUrlPassword(value);
    }
    // Values added after parsing (resolved from files, etc.) are not in the spec: leave them out.
    return out;
  };
  return walk(spec, config as Record<string, unknown>);
}

function redactValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const masked = maskUrlPassword(value);
    // A URL without credentials is not secret in itself; one with them keeps only the location.
    return masked === value ? value : masked;
  }
  return REDACTED;
}

function maskUrlPassword(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** Common leaf schemas (environment values are strings). */
export const envSchema = {
  port: () => z.coerce.number().int().min(1).max(65_535),
  positiveInt: () => z.coerce.number().int().positive(),
  boolean: () => z.stringbool(),
  url: (protocols?: readonly string[]) =>
    z.string().refine(
      (v) => {
        try {
          const u = new URL(v);
          return !protocols || protocols.includes(u.protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: protocols ? `must be a ${protocols.join('/')} URL` : 'must be a URL' },
    ),
  /** Comma-separated host:port list. */
  hostPorts: () =>
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each entry must be host:port')).min(1)),
};
