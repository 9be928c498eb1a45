import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import serviceGenerator from '../service/service.generator';
import { seedWorkspace } from '../../testing/seed-workspace';
import useCaseGenerator, { registerProvider } from './use-case.generator';

describe('use-case generator (in memory)', () => {
  it('adds the use case and its spec to the context and registers it in the module', async () => {
    const tree = createTreeWithEmptyWorkspace();
    seedWorkspace(tree);
    await serviceGenerator(tree, { name: 'referral-service', port: 3007 });

    await useCaseGenerator(tree, { project: 'referral-service', context: 'referral', name: 'accept-referral' });

    const folder = 'apps/referral-service/src/referral/use-cases/accept-referral';
    expect(tree.read(`${folder}/accept-referral.use-case.ts`, 'utf-8')).toContain('export class AcceptReferralUseCase');
    expect(tree.read(`${folder}/accept-referral.use-case.spec.ts`, 'utf-8')).toContain("from '../in-memory-referral.fakes'");
    const module = tree.read('apps/referral-service/src/referral.module.ts', 'utf-8') ?? '';
    expect(module).toContain("import { AcceptReferralUseCase } from './referral/use-cases/accept-referral/accept-referral.use-case';");
    expect(module).toMatch(/CreateReferralUseCase,\n\s+AcceptReferralUseCase,\n\s+\],/);
    await expect(useCaseGenerator(tree, { project: 'referral-service', context: 'nowhere', name: 'do-thing' })).rejects.toThrow('does not exist');
  });

  it('keeps a one-line providers list on one line and adds the import after the last one', () => {
    const source = "import { A } from './a';\nimport { B } from './b';\n\n@Module({\n  providers: [A, B]\n})\nexport class M {}\n";

    expect(registerProvider(source, 'CUseCase', "import { CUseCase } from './c';")).toBe(
      "import { A } from './a';\nimport { B } from './b';\nimport { CUseCase } from './c';\n\n@Module({\n  providers: [A, B, CUseCase]\n})\nexport class M {}\n",
    );
  });
});
