import { evaluateMatching } from './matching-evaluation';

// Regression gate for matching quality on a seeded synthetic population (deterministic, ~1 s).
// The full 20k-person run is bench/matching-quality.ts.
describe('matching quality (seeded synthetic population, no CCCD on incoming records)', () => {
  const report = evaluateMatching({ populationSize: 5_000 });

  it('auto-links with precision ≥ 99.9%', () => {
    expect(report.precision).toBeGreaterThanOrEqual(0.999);
  });

  it('auto-links ≥ 98% of true pairs, and links or reviews ≥ 99.5%', () => {
    expect(report.recall).toBeGreaterThanOrEqual(0.98);
    expect(report.recallIncludingReview).toBeGreaterThanOrEqual(0.995);
  });

  it('never auto-links a newborn registered under the mother’s name', () => {
    expect(report.byKind['newborn-placeholder'].correctLinks + report.byKind['newborn-placeholder'].falseLinks).toBe(0);
  });

  it('keeps the review queue small', () => {
    expect(report.reviewRate).toBeLessThan(0.1);
  });
});
