import { type Tree } from '@nx/devkit';

/** The workspace files the generator lists a service in, as small as their real anchors. */
export function seedWorkspace(tree: Tree): void {
  tree.write('docker-compose.yml', 'services:\n  sample-service:\n    image: x\n\nvolumes:\n  postgres-data:\n');
  tree.write('scripts/infra.sh', '#!/usr/bin/env bash\nSERVICES=(sample identity)\npg_provision() { :; }\n');
  tree.write('scripts/start.sh', '#!/usr/bin/env bash\nSERVICES=(identity-service:3001)\n');
  tree.write('eslint.config.mjs', "const scopes = ['identity', 'sample'];\nexport default [];\n");
  tree.write(
    'deploy/compose/postgres/init-databases.sql',
    "CREATE ROLE lt_sample LOGIN PASSWORD 'lt_sample';\n\nCREATE DATABASE lt_sample OWNER lt_sample;\n",
  );
}
