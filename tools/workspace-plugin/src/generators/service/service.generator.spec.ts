import { readProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { seedWorkspace } from '../../testing/seed-workspace';
import serviceGenerator from './service.generator';

describe('service generator (in memory)', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    seedWorkspace(tree);
  });

  it('writes the app in the layered shape, named after the service and its context', async () => {
    await serviceGenerator(tree, { name: 'referral-service', port: 3007, timestamp: 1_800_000_000_000 });

    const project = readProjectConfiguration(tree, 'referral-service');
    expect(project.tags).toEqual(['type:app', 'scope:referral']);
    for (const file of [
      'src/main.ts',
      'src/migrate.ts',
      'src/referral.module.ts',
      'src/config/referral.config.ts',
      'src/persistence/data-source.ts',
      'src/persistence/entities.ts',
      'src/persistence/migrations/1800000000000-create-referrals.ts',
      'src/referral/domain/referral.ts',
      'src/referral/domain/referral-error.ts',
      'src/referral/ports/referral-store.port.ts',
      'src/referral/use-cases/create-referral/create-referral.use-case.ts',
      'src/referral/use-cases/create-referral/create-referral.use-case.spec.ts',
      'src/referral/adapters/http/referrals.controller.ts',
      'src/referral/adapters/http/create-referral.dto.ts',
      'src/referral/adapters/persistence/referral.repository.ts',
      'src/referral/referral.int-spec.ts',
      'test/referral-service.e2e-spec.ts',
      'README.md',
    ]) {
      expect(tree.exists(`apps/referral-service/${file}`)).toBe(true);
    }
    expect(tree.read('apps/referral-service/src/config/referral.config.ts', 'utf-8')).toContain("database: 'lt_referral'");
    expect(tree.read('deploy/k8s/apps/referral-service/base/config.env', 'utf-8')).toContain('OTEL_SERVICE_NAME=referral-service\n');
    expect(tree.read('deploy/k8s/apps/referral-service/base/config.env', 'utf-8')).toMatch(/^PORT=3007$/m);
  });

  it('lists the service once in compose, the database scripts, npm start and the lint scopes, however often it runs', async () => {
    await serviceGenerator(tree, { name: 'referral-service', port: 3007, context: 'transfer', scope: 'records' });
    const compose = tree.read('docker-compose.yml', 'utf-8') ?? '';

    expect(compose).toContain('  referral-service-migrate:\n');
    expect(compose).toContain('build: { <<: *build, args: { APP: referral-service, PORT: "3007" } }');
    expect(compose.indexOf('  referral-service:')).toBeLessThan(compose.indexOf('\nvolumes:'));
    expect(tree.read('scripts/infra.sh', 'utf-8')).toContain('SERVICES=(sample identity referral)\n');
    expect(tree.read('scripts/start.sh', 'utf-8')).toContain('SERVICES=(identity-service:3001 referral-service:3007)\n');
    expect(tree.read('eslint.config.mjs', 'utf-8')).toContain("const scopes = ['identity', 'sample', 'records'];");
    expect(tree.read('deploy/compose/postgres/init-databases.sql', 'utf-8')).toBe(
      "CREATE ROLE lt_sample LOGIN PASSWORD 'lt_sample';\nCREATE ROLE lt_referral LOGIN PASSWORD 'lt_referral';\n\n" +
        'CREATE DATABASE lt_sample OWNER lt_sample;\nCREATE DATABASE lt_referral OWNER lt_referral;\n',
    );
    expect(tree.exists('apps/referral-service/src/transfer/use-cases/create-transfer/create-transfer.use-case.ts')).toBe(true);

    await expect(serviceGenerator(tree, { name: 'referral-service', port: 3007 })).rejects.toThrow('apps/referral-service already exists');
  });

  it('refuses a port outside 1024-65535', async () => {
    await expect(serviceGenerator(tree, { name: 'x-service', port: 80 })).rejects.toThrow('--port');
  });
});
