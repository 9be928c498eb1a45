/**
 * Matching-quality benchmark. Run without Jest:
 *   node scripts/run-ts.cjs apps/identity-service/bench/matching-quality.ts [--size 20000] [--seed N] [--cccd 0.6]
 * Exits non-zero when precision < 99.9% or recall < 98%, so it can gate a pipeline.
 */
import { DEFAULT_EVALUATION, evaluateMatching, formatReport } from './matching-evaluation';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const size = Number(argument('size') ?? DEFAULT_EVALUATION.populationSize);
const seed = Number(argument('seed') ?? DEFAULT_EVALUATION.seed);
const cccdPresence = Number(argument('cccd') ?? DEFAULT_EVALUATION.cccdPresence);

const report = evaluateMatching({ populationSize: size, seed, cccdPresence });
process.stdout.write(`${formatReport(report)}\n`);
if (argument('json') !== undefined) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const thresholds = report.options;
process.stdout.write(
  `thresholds: link ≥ ${DEFAULT_EVALUATION.config.thresholds.link}, review ≥ ${DEFAULT_EVALUATION.config.thresholds.review}, ambiguity margin ${DEFAULT_EVALUATION.config.thresholds.ambiguityMargin} bits (${thresholds.configVersion})\n`,
);
if (report.precision < 0.999 || report.recall < 0.98) {
  process.stdout.write('FAILED quality gate: precision ≥ 99.9% and recall ≥ 98% required\n');
  process.exitCode = 1;
}
