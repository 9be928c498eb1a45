import { execFile } from 'node:child_process';
import { workspaceRoot } from '@nx/devkit';
import type { Finding, PlantedFile } from './lint-text';

// Each rule in eslint.config.mjs is proved by planting a violation, in memory, at a path inside a real
// project and linting it with the real configuration; a clean file beside it proves the rule does
// not fire on code that follows the architecture.

const BOUNDARIES = '@nx/enforce-module-boundaries';
const LAYERS = '@typescript-eslint/no-restricted-imports';
const INWARDS = 'Dependencies point inwards';

const probe = 'apps/sample-service/src/lint-probe';
const planted: PlantedFile[] = [
  {
    name: 'domain reaching for typeorm and an adapter',
    filePath: `${probe}/domain/lint-probe.ts`,
    code: [
      "import { DataSource } from 'typeorm';",
      "import { ProbeRow } from '../adapters/persistence/probe-row.entity';",
      "import { Injectable } from '@nestjs/common';",
      'export const leaks = [DataSource, ProbeRow, Injectable];',
    ].join('\n'),
  },
  {
    name: 'clean domain',
    filePath: `${probe}/domain/lint-probe.ts`,
    code: [
      "import { isFacilityCodeFormat } from '@lienthong/vn-standards';",
      'export interface Probe { readonly facilityCode: string }',
      'export const isValidProbe = (p: Probe): boolean => isFacilityCodeFormat(p.facilityCode);',
    ].join('\n'),
  },
  {
    name: 'use case reaching for typeorm and an adapter',
    filePath: `${probe}/use-cases/record-probe/record-probe.use-case.ts`,
    code: [
      "import { Repository } from 'typeorm';",
      "import { ProbeRow } from '../../adapters/persistence/probe-row.entity';",
      'export const leaks = [Repository, ProbeRow];',
    ].join('\n'),
  },
  {
    name: 'clean use case',
    filePath: `${probe}/use-cases/record-probe/record-probe.use-case.ts`,
    code: [
      "import { Injectable } from '@nestjs/common';",
      "import { UnitOfWork } from '@lienthong/persistence';",
      "import { type Probe } from '../../domain/lint-probe';",
      "import { ProbeRepository } from '../../ports/probe.repository';",
      '@Injectable()',
      'export class RecordProbeUseCase {',
      '  constructor(private readonly uow: UnitOfWork, private readonly probes: ProbeRepository) {}',
      '  async execute(probe: Probe): Promise<void> {',
      '    await this.uow.run((tx) => this.probes.save(tx, probe));',
      '  }',
      '}',
    ].join('\n'),
  },
  {
    name: 'port naming the unit-of-work handle and the actor as types',
    filePath: `${probe}/ports/probe.repository.ts`,
    code: [
      "import { type Tx } from '@lienthong/persistence';",
      "import { type Actor } from '@lienthong/platform';",
      "import { type Probe } from '../domain/lint-probe';",
      'export abstract class ProbeRepository {',
      '  abstract save(tx: Tx, probe: Probe, actor?: Actor): Promise<void>;',
      '}',
    ].join('\n'),
  },
  {
    name: 'port importing the unit-of-work implementation',
    filePath: `${probe}/ports/probe.repository.ts`,
    code: ["import { TypeormUnitOfWork } from '@lienthong/persistence';", 'export const leak = TypeormUnitOfWork;'].join('\n'),
  },
  {
    name: 'contracts importing the platform',
    filePath: 'libs/contracts/src/lint-probe.ts',
    code: ["import { bootstrapService } from '@lienthong/platform';", 'export const leak = bootstrapService;'].join('\n'),
  },
  {
    name: 'production code of an app importing synthetic data',
    filePath: 'apps/sample-service/src/app/lint-probe.ts',
    code: ["import { SeededRandom } from '@lienthong/synthetic';", 'export const leak = SeededRandom;'].join('\n'),
  },
  {
    name: 'a test file of an app importing synthetic data and the harness',
    filePath: 'apps/sample-service/src/app/lint-probe.spec.ts',
    code: [
      "import { SeededRandom } from '@lienthong/synthetic';",
      "import { uniqueName } from '@lienthong/testing';",
      "it('plants', () => expect([SeededRandom, uniqueName]).toHaveLength(2));",
    ].join('\n'),
  },
  {
    name: "an app's in-memory test kit importing the harness",
    filePath: `${probe}/testing/probe-fakes.ts`,
    code: ["import { FakeUnitOfWork } from '@lienthong/testing';", 'export const kit = () => new FakeUnitOfWork([]);'].join('\n'),
  },
  {
    name: 'a util lib importing Nest',
    filePath: 'libs/vn-standards/src/lint-probe.ts',
    code: ["import { Injectable } from '@nestjs/common';", 'export const leak = Injectable;'].join('\n'),
  },
  {
    // The harness: every other lib already depends on vn-standards, and a cycle is reported first.
    name: 'production code of a util lib importing the test harness',
    filePath: 'libs/vn-standards/src/lint-probe.ts',
    code: ["import { uniqueName } from '@lienthong/testing';", 'export const leak = uniqueName;'].join('\n'),
  },
  {
    name: 'deploy tooling importing the platform',
    filePath: 'deploy/tools/lint-probe.ts',
    code: ["import { bootstrapService } from '@lienthong/platform';", 'export const leak = bootstrapService;'].join('\n'),
  },
];

function lintPlanted(files: PlantedFile[]): Promise<Record<string, Finding[]>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['-r', './scripts/run-ts.cjs', 'tools/lint-rules/src/lint-text.ts'],
      { cwd: workspaceRoot, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`lint-text failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Record<string, Finding[]>);
      },
    );
    child.stdin?.end(JSON.stringify(files));
  });
}

let findings: Record<string, Finding[]> = {};
const findingsOf = (name: string): Finding[] => {
  const found = findings[name];
  if (found === undefined) throw new Error(`no findings for "${name}"`);
  return found;
};

beforeAll(async () => {
  // One ESLint process for every planted file: type-aware parsing and the project graph are the cost.
  findings = await lintPlanted(planted);
}, 180_000);

describe('layer rules inside a service', () => {
  it('keep typeorm, Nest and adapters out of the domain', () => {
    expect(findingsOf('domain reaching for typeorm and an adapter')).toEqual([
      { ruleId: LAYERS, line: 1, message: expect.stringContaining("'typeorm' import is restricted") },
      { ruleId: LAYERS, line: 2, message: expect.stringContaining(INWARDS) },
      { ruleId: LAYERS, line: 3, message: expect.stringContaining("'@nestjs/common' import is restricted") },
    ]);
    expect(findingsOf('clean domain')).toEqual([]);
  });

  it('keep typeorm and adapters out of use cases, which talk to ports', () => {
    expect(findingsOf('use case reaching for typeorm and an adapter')).toEqual([
      { ruleId: LAYERS, line: 1, message: expect.stringContaining('SQL, Kafka and Redis belong in adapters/') },
      { ruleId: LAYERS, line: 2, message: expect.stringContaining(INWARDS) },
    ]);
    expect(findingsOf('clean use case')).toEqual([]);
  });

  it('let ports name kit types (Tx, Db, Actor), and nothing more of the kit', () => {
    expect(findingsOf('port naming the unit-of-work handle and the actor as types')).toEqual([]);
    expect(findingsOf('port importing the unit-of-work implementation')).toEqual([
      { ruleId: LAYERS, line: 1, message: expect.stringContaining('Ports name kit types only') },
    ]);
  });
});

describe('lib kinds', () => {
  it('keep contracts free of the service kit', () => {
    expect(findingsOf('contracts importing the platform')).toEqual([
      {
        ruleId: BOUNDARIES,
        line: 1,
        message: 'A project tagged with "kind:contracts" can only depend on libs tagged with "kind:util", "kind:contracts"',
      },
    ]);
  });

  it('keep util libs free of frameworks and of other kinds of lib', () => {
    expect(findingsOf('a util lib importing Nest')).toEqual([
      { ruleId: BOUNDARIES, line: 1, message: 'A project tagged with "kind:util" is not allowed to import "@nestjs/common"' },
    ]);
    expect(findingsOf('production code of a util lib importing the test harness')).toEqual([
      { ruleId: BOUNDARIES, line: 1, message: 'A project tagged with "kind:util" can only depend on libs tagged with "kind:util"' },
    ]);
  });

  it('keep synthetic data out of production code, and let tests use it', () => {
    expect(findingsOf('production code of an app importing synthetic data')).toEqual([
      {
        ruleId: BOUNDARIES,
        line: 1,
        message: 'A project tagged with "type:app" can only depend on libs tagged with "kind:util", "kind:contracts", "kind:infra"',
      },
    ]);
    expect(findingsOf('a test file of an app importing synthetic data and the harness')).toEqual([]);
    expect(findingsOf("an app's in-memory test kit importing the harness")).toEqual([]);
  });

  it('keep deploy tooling on the contracts and vocabulary', () => {
    expect(findingsOf('deploy tooling importing the platform')).toEqual([
      {
        ruleId: BOUNDARIES,
        line: 1,
        message: 'A project tagged with "type:tooling" can only depend on libs tagged with "kind:util", "kind:contracts"',
      },
    ]);
  });
});
