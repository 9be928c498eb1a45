import { type LabResult } from '@lienthong/contracts';
import { createHash } from 'node:crypto';
import { type CanonicalLine } from './canonical-result';

/** The latest stored version of one result line of a visit. */
export interface CurrentResult {
  readonly resultId: string;
  readonly lineKey: string;
  readonly version: number;
  readonly status: LabResult['status'];
  readonly contentHash: string;
  readonly result: LabResult;
}

export type VersionKind = 'new' | 'amended' | 'cancelled';

/** A version to store (and announce: new → finalized, amended → amended, cancelled → cancelled). */
export interface PlannedVersion {
  readonly kind: VersionKind;
  readonly result: LabResult;
  readonly contentHash: string;
}

export interface ResultCounts {
  readonly new: number;
  readonly amended: number;
  readonly cancelled: number;
  readonly unchanged: number;
}

export interface VersionPlan {
  readonly versions: readonly PlannedVersion[];
  readonly counts: ResultCounts;
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  // On the ingest's hot path (every line of every visit): plain loops, one string built.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** SHA-256 of a line's canonical content (what the source said, understood): equal hashes, the same result. */
export function contentHash(line: CanonicalLine): string {
  return createHash('sha256').update(canonicalJson(line)).digest('hex');
}

/**
 * What a (re)submitted visit changes, line by line (pure). The identity of a result is its line in the
 * visit — (facility, MA_LK, MA_DICH_VU, MA_CHI_SO or STT) — so:
 * - a line never seen: version 1, `final` (finalized);
 * - the same content for the same patient: unchanged, nothing written, nothing announced;
 * - other content (a corrected value), or the visit now resolved to another patient: the next
 *   version, `amended`;
 * - a line stored before and missing from the resubmitted visit: the next version, `cancelled` — the
 *   hospital withdrew it (the sender always sends the whole visit: XML 130 has no per-line delete);
 * - a cancelled line that comes back: the next version, `amended`.
 */
export function planVersions(input: {
  readonly current: readonly CurrentResult[];
  readonly lines: readonly CanonicalLine[];
  /** `contentHash` of each line, when the caller has them already. */
  readonly lineHashes?: readonly string[];
  readonly enterprisePatientId: string;
  readonly newResultId: () => string;
}): VersionPlan {
  const byKey = new Map(input.current.map((c) => [c.lineKey, c]));
  const versions: PlannedVersion[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  for (const [i, line] of input.lines.entries()) {
    seen.add(line.source.lineKey);
    const hash = input.lineHashes?.[i] ?? contentHash(line);
    const current = byKey.get(line.source.lineKey);
    if (current === undefined) {
      const result: LabResult = { ...line, resultId: input.newResultId(), version: 1, enterprisePatientId: input.enterprisePatientId, status: 'final' };
      versions.push({ kind: 'new', result, contentHash: hash });
      continue;
    }
    const same = current.status !== 'cancelled' && current.contentHash === hash && current.result.enterprisePatientId === input.enterprisePatientId;
    if (same) {
      unchanged += 1;
      continue;
    }
    const result: LabResult = { ...line, resultId: current.resultId, version: current.version + 1, enterprisePatientId: input.enterprisePatientId, status: 'amended' };
    versions.push({ kind: 'amended', result, contentHash: hash });
  }
  for (const current of input.current) {
    if (seen.has(current.lineKey) || current.status === 'cancelled') continue;
    versions.push({ kind: 'cancelled', result: { ...current.result, version: current.version + 1, status: 'cancelled' }, contentHash: current.contentHash });
  }
  const count = (kind: VersionKind) => versions.filter((v) => v.kind === kind).length;
  return { versions, counts: { new: count('new'), amended: count('amended'), cancelled: count('cancelled'), unchanged } };
}
