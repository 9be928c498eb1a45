import {
  PopulationGenerator,
  exactRecord,
  makeVariant,
  newbornPlaceholderRecord,
  NOISE_TYPES,
  type NoiseType,
  type ObservedPatientRecord,
  type SyntheticPerson,
} from '@lienthong/synthetic';
import {
  blockingKeys,
  decideAmong,
  DEFAULT_MATCH_CONFIG,
  prepareMatchRecord,
  scoreCandidate,
  type MatchConfig,
  type MatchContext,
  type MatchDecision,
  type PreparedMatchRecord,
  type RankedCandidate,
} from '../src/matching';

/**
 * Matching-quality harness shared by the benchmark program and the CI regression test: builds a
 * seeded synthetic registry, replays other facilities' noisy records of registered people plus
 * hard negatives, and measures what blocking + scoring + decision does with them.
 */
export interface EvaluationOptions {
  readonly seed: number;
  readonly populationSize: number;
  /** True-match queries as a fraction of the population. */
  readonly matchQueryRate: number;
  /** Share of registered people who also have a registered namesake / twin (doppelgängers). */
  readonly registeredNamesakeRate: number;
  readonly registeredTwinRate: number;
  /** Unregistered hard negatives and fresh people queried, as fractions of the population. */
  readonly namesakeQueryRate: number;
  readonly twinQueryRate: number;
  readonly freshQueryRate: number;
  /** Probability the incoming record carries the CCCD (0 = probabilistic path only). */
  readonly cccdPresence: number;
  readonly config: MatchConfig;
}

export const DEFAULT_EVALUATION: EvaluationOptions = {
  seed: 20261126,
  populationSize: 20_000,
  matchQueryRate: 0.5,
  registeredNamesakeRate: 0.05,
  registeredTwinRate: 0.02,
  namesakeQueryRate: 0.1,
  twinQueryRate: 0.02,
  freshQueryRate: 0.1,
  cccdPresence: 0,
  config: DEFAULT_MATCH_CONFIG,
};

type QueryKind = 'true-match' | 'namesake' | 'twin' | 'fresh' | 'newborn-placeholder';

export interface OutcomeCounts {
  queries: number;
  /** Linked to the right person. */
  correctLinks: number;
  /** Linked to someone else (for negatives: any link). */
  falseLinks: number;
  /** Sent to review with the right person among the presented candidates. */
  reviewWithTruth: number;
  reviews: number;
  news: number;
  /** The right person was not even fetched by blocking. */
  blockingMisses: number;
  deterministicLinks: number;
}

export interface EvaluationReport {
  readonly options: Omit<EvaluationOptions, 'config'> & { readonly configVersion: string };
  readonly registrySize: number;
  readonly byKind: Readonly<Record<QueryKind, OutcomeCounts>>;
  readonly byNoise: Readonly<Record<NoiseType, OutcomeCounts>>;
  readonly totals: OutcomeCounts;
  /** Correct auto-links / all auto-links. */
  readonly precision: number;
  /** True pairs auto-linked correctly / true-match queries. */
  readonly recall: number;
  /** True pairs linked or put in review with the right candidate / true-match queries. */
  readonly recallIncludingReview: number;
  readonly reviewRate: number;
  readonly meanCandidates: number;
  readonly elapsedMs: number;
}

const emptyCounts = (): OutcomeCounts => ({
  queries: 0,
  correctLinks: 0,
  falseLinks: 0,
  reviewWithTruth: 0,
  reviews: 0,
  news: 0,
  blockingMisses: 0,
  deterministicLinks: 0,
});

interface Query {
  readonly kind: QueryKind;
  readonly record: ObservedPatientRecord;
  readonly truthId: string | undefined;
  readonly noises: readonly NoiseType[];
}

interface RegistryEntry {
  readonly person: SyntheticPerson;
  readonly prepared: PreparedMatchRecord;
}

class InMemoryRegistry {
  readonly entries: RegistryEntry[] = [];
  private readonly index = new Map<string, number[]>();
  private readonly byCccd = new Map<string, number>();
  private readonly givenNameCounts = new Map<string, number>();

  /** Stands in for the service's "given names in use" statistic (≥ 3 registered patients). */
  readonly context: MatchContext = {
    isKnownGivenName: (given) => (this.givenNameCounts.get(given) ?? 0) >= 3,
  };

  add(person: SyntheticPerson): void {
    const prepared = prepareMatchRecord(exactRecord(person));
    const position = this.entries.push({ person, prepared }) - 1;
    const given = prepared.name.given;
    this.givenNameCounts.set(given, (this.givenNameCounts.get(given) ?? 0) + 1);
    for (const key of blockingKeys(prepared, 'index')) {
      const list = this.index.get(key);
      if (list) list.push(position);
      else this.index.set(key, [position]);
    }
    if (person.cccd !== undefined) this.byCccd.set(person.cccd, position);
  }

  findByCccd(cccd: string): RegistryEntry | undefined {
    const position = this.byCccd.get(cccd);
    return position === undefined ? undefined : this.entries[position];
  }

  candidates(query: PreparedMatchRecord): RegistryEntry[] {
    const positions = new Set<number>();
    for (const key of blockingKeys(query, 'query')) for (const p of this.index.get(key) ?? []) positions.add(p);
    return [...positions].map((p) => this.entries[p]).filter((e): e is RegistryEntry => e !== undefined);
  }
}

function tally(counts: OutcomeCounts, decision: MatchDecision, chosenId: string | undefined, truthId: string | undefined, truthPresented: boolean, blocked: boolean): void {
  counts.queries += 1;
  if (truthId !== undefined && !blocked) counts.blockingMisses += 1;
  if (decision === 'link') {
    if (chosenId !== undefined && chosenId === truthId) counts.correctLinks += 1;
    else counts.falseLinks += 1;
  } else if (decision === 'review') {
    counts.reviews += 1;
    if (truthPresented) counts.reviewWithTruth += 1;
  } else {
    counts.news += 1;
  }
}

export function evaluateMatching(overrides: Partial<EvaluationOptions> = {}): EvaluationReport {
  const options = { ...DEFAULT_EVALUATION, ...overrides };
  const started = performance.now();
  const generator = new PopulationGenerator({ seed: options.seed });
  const rng = generator.random.fork('evaluation');
  const registry = new InMemoryRegistry();

  const base = Array.from({ length: options.populationSize }, () => generator.person());
  for (const p of base) registry.add(p);
  const hasRegisteredTwin = new Set<string>();
  for (const p of base) {
    if (rng.chance(options.registeredNamesakeRate)) registry.add(generator.namesake(p));
    if (rng.chance(options.registeredTwinRate)) {
      registry.add(generator.twin(p));
      hasRegisteredTwin.add(p.id);
    }
  }
  // Unregistered twins are drawn only for people without a registered one: two independent
  // "twins" of one person could get the same name, i.e. be indistinguishable triplets.
  const twinable = base.filter((p) => !hasRegisteredTwin.has(p.id));
  const registered = registry.entries.map((e) => e.person);
  const variantOptions = { presence: { cccd: options.cccdPresence } };

  const queries: Query[] = [];
  const count = (rate: number): number => Math.round(options.populationSize * rate);
  for (let i = 0; i < count(options.matchQueryRate); i += 1) {
    const person = rng.pick(registered);
    const v = makeVariant(person, rng, variantOptions);
    queries.push({ kind: 'true-match', record: v.record, truthId: person.id, noises: v.noises });
  }
  for (let i = 0; i < count(options.namesakeQueryRate); i += 1) {
    const v = makeVariant(generator.namesake(rng.pick(base)), rng, variantOptions);
    queries.push({ kind: 'namesake', record: v.record, truthId: undefined, noises: v.noises });
  }
  for (let i = 0; i < count(options.twinQueryRate); i += 1) {
    const v = makeVariant(generator.twin(rng.pick(twinable)), rng, variantOptions);
    queries.push({ kind: 'twin', record: v.record, truthId: undefined, noises: v.noises });
  }
  for (let i = 0; i < count(options.freshQueryRate); i += 1) {
    const v = makeVariant(generator.person(), rng, variantOptions);
    queries.push({ kind: 'fresh', record: v.record, truthId: undefined, noises: v.noises });
  }
  // Newborns under the mother's name, against their own later registration: must never auto-link.
  for (const child of base.filter((p) => generator.referenceYear - p.birthDate.year <= 1)) {
    const mother = rng.pick(base.filter((p) => p.sex === 'female')).fullName;
    queries.push({ kind: 'newborn-placeholder', record: newbornPlaceholderRecord(child, mother), truthId: child.id, noises: [] });
  }

  const kinds: QueryKind[] = ['true-match', 'namesake', 'twin', 'fresh', 'newborn-placeholder'];
  const byKind = Object.fromEntries(kinds.map((k) => [k, emptyCounts()])) as Record<QueryKind, OutcomeCounts>;
  const byNoise = Object.fromEntries(NOISE_TYPES.map((n) => [n, emptyCounts()])) as Record<NoiseType, OutcomeCounts>;
  const totals = emptyCounts();
  let candidateTotal = 0;

  for (const q of queries) {
    const prepared = prepareMatchRecord(q.record);
    const direct = q.record.cccd === undefined ? undefined : registry.findByCccd(q.record.cccd);
    let decision: MatchDecision;
    let chosenId: string | undefined;
    let truthPresented = false;
    let blocked = true;
    if (direct !== undefined) {
      // Deterministic path: same personal ID number.
      decision = 'link';
      chosenId = direct.person.id;
      byKind[q.kind].deterministicLinks += 1;
    } else {
      const candidates = registry.candidates(prepared);
      candidateTotal += candidates.length;
      blocked = q.truthId === undefined || candidates.some((c) => c.person.id === q.truthId);
      const ranked: RankedCandidate<string>[] = candidates.map((c) => ({
        candidateId: c.person.id,
        result: scoreCandidate(prepared, c.prepared, options.config, registry.context),
      }));
      const outcome = decideAmong(ranked, options.config.thresholds);
      decision = outcome.decision;
      chosenId = outcome.best?.candidateId;
      truthPresented =
        q.truthId !== undefined &&
        (chosenId === q.truthId || outcome.alternatives.some((a) => a.candidateId === q.truthId));
    }
    // Newborn placeholders are scored separately: their goal is "never auto-link", not recall.
    const scopes = q.kind === 'newborn-placeholder' ? [byKind[q.kind]] : [byKind[q.kind], totals];
    for (const c of scopes) tally(c, decision, chosenId, q.truthId, truthPresented, blocked);
    if (q.kind === 'true-match') for (const n of q.noises) tally(byNoise[n], decision, chosenId, q.truthId, truthPresented, blocked);
  }

  const tm = byKind['true-match'];
  const links = totals.correctLinks + totals.falseLinks;
  const { config: _config, ...rest } = options;
  return {
    options: { ...rest, configVersion: options.config.version },
    registrySize: registry.entries.length,
    byKind,
    byNoise,
    totals,
    precision: links === 0 ? 1 : totals.correctLinks / links,
    recall: tm.queries === 0 ? 1 : tm.correctLinks / tm.queries,
    recallIncludingReview: tm.queries === 0 ? 1 : (tm.correctLinks + tm.reviewWithTruth) / tm.queries,
    reviewRate: totals.queries === 0 ? 0 : totals.reviews / totals.queries,
    meanCandidates: candidateTotal / Math.max(1, queries.length),
    elapsedMs: performance.now() - started,
  };
}

const pct = (n: number, d: number): string => (d === 0 ? '—' : `${((100 * n) / d).toFixed(2)}%`);

function row(label: string, c: OutcomeCounts): string {
  const cells = [
    label.padEnd(24),
    String(c.queries).padStart(7),
    pct(c.correctLinks, c.queries).padStart(9),
    String(c.falseLinks).padStart(7),
    pct(c.reviews, c.queries).padStart(9),
    pct(c.reviewWithTruth, c.queries).padStart(9),
    pct(c.news, c.queries).padStart(9),
    String(c.blockingMisses).padStart(8),
    String(c.deterministicLinks).padStart(7),
  ];
  return cells.join(' ');
}

export function formatReport(r: EvaluationReport): string {
  const t = r.options;
  const header = [
    'query kind / noise'.padEnd(24),
    'queries'.padStart(7),
    'linked✓'.padStart(9),
    'falseL'.padStart(7),
    'review'.padStart(9),
    'rev+true'.padStart(9),
    'new'.padStart(9),
    'blockMis'.padStart(8),
    'cccd'.padStart(7),
  ].join(' ');
  const lines = [
    `seed ${r.options.seed}, population ${r.options.populationSize} (registry ${r.registrySize} incl. registered namesakes/twins), CCCD on incoming ${(r.options.cccdPresence * 100).toFixed(0)}%, config ${t.configVersion}`,
    '',
    header,
    '-'.repeat(header.length),
    ...Object.entries(r.byKind).map(([k, c]) => row(k, c)),
    '-'.repeat(header.length),
    row('all (excl. newborn)', r.totals),
    '',
    'true-match queries by noise type (a query can carry up to 3):',
    header,
    ...Object.entries(r.byNoise).map(([k, c]) => row(k, c)),
    '',
    `precision of auto-links        ${(100 * r.precision).toFixed(3)}%  (false links: ${r.totals.falseLinks})`,
    `recall (auto-linked)           ${(100 * r.recall).toFixed(3)}%`,
    `recall (linked or in review)   ${(100 * r.recallIncludingReview).toFixed(3)}%`,
    `review-queue rate (all)        ${(100 * r.reviewRate).toFixed(2)}%`,
    `mean candidates per query      ${r.meanCandidates.toFixed(1)}`,
    `elapsed                        ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ];
  return lines.join('\n');
}
