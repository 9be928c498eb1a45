import { PURPOSES_OF_USE, type PurposeOfUse } from '@lienthong/vn-standards';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type DefaultPolicy } from '../consent/domain/decide';
import shipped from './default-policies.json';

const decisionsSchema = z.object(
  Object.fromEntries(PURPOSES_OF_USE.map((p) => [p, z.enum(['permit', 'deny'])])) as Record<PurposeOfUse, z.ZodEnum<{ permit: 'permit'; deny: 'deny' }>>,
);

const policiesSchema = z.object({
  policies: z
    .array(z.object({ version: z.string().min(1), effectiveFrom: z.iso.datetime({ offset: true }), decisions: decisionsSchema.strict() }))
    .min(1)
    .refine((ps) => new Set(ps.map((p) => p.version)).size === ps.length, 'policy versions must be unique'),
});

/** Token of the configured default policies (a list, sorted by effective date). */
export const DEFAULT_POLICIES = Symbol('DEFAULT_POLICIES');

/**
 * The default-policy versions: the file named by CONSENT_DEFAULT_POLICIES_FILE, or the one shipped
 * with the service. Validated at boot: a bad file stops the service rather than deciding on a guess.
 */
export function loadDefaultPolicies(file: string | undefined = process.env['CONSENT_DEFAULT_POLICIES_FILE']): DefaultPolicy[] {
  const raw: unknown = file ? JSON.parse(readFileSync(file, 'utf8')) : shipped;
  const parsed = policiesSchema.parse(raw);
  return parsed.policies
    .map((p) => ({ version: p.version, effectiveFrom: Date.parse(p.effectiveFrom), decisions: p.decisions }))
    .sort((a, b) => a.effectiveFrom - b.effectiveFrom);
}
