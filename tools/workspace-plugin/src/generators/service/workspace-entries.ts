import { logger, type Tree } from '@nx/devkit';
import { type ServiceNames } from './service.generator';

/**
 * The workspace files a new service is listed in besides its own folders. Each edit is idempotent
 * and anchored on a structure the file already has (the `volumes:` section, a `SERVICES=(…)` array,
 * the `scopes` list); when the anchor is gone, the generator says what to add by hand instead of
 * guessing.
 */

function edit(tree: Tree, path: string, what: string, change: (text: string) => string | undefined): void {
  if (!tree.exists(path)) {
    logger.warn(`${path} does not exist: add ${what} by hand`);
    return;
  }
  const before = tree.read(path, 'utf-8') ?? '';
  const after = change(before);
  if (after === undefined) logger.warn(`${path}: could not find where to add ${what}; add it by hand`);
  else if (after !== before) tree.write(path, after);
}

/** Adds `item` to a bash array `NAME=(a b c)` on a line of its own. */
function addToBashArray(text: string, array: string, item: string): string | undefined {
  const line = new RegExp(`^${array}=\\(([^)]*)\\)`, 'm');
  const match = line.exec(text);
  if (!match) return undefined;
  const items = (match[1] ?? '').split(/\s+/).filter((s) => s !== '');
  if (items.includes(item)) return text;
  return text.replace(line, `${array}=(${[...items, item].join(' ')})`);
}

/** docker-compose.yml: the `<name>-migrate` one-shot and the health-gated service, from the shared anchors. */
export function registerDeployEntries(tree: Tree, n: ServiceNames): void {
  const entries = `  # One-shot per \`up\`: applies ${n.name}'s migrations with the service's own image
  # (built by the ${n.name} entry), before any replica starts.
  ${n.name}-migrate:
    <<: *service
    image: lienthong/${n.name}:local
    restart: "no"
    command: ["node", "migrate.js"]
    environment: &${n.short.kebab}-env
      <<: *service-env
      DATABASE_URL: postgres://${n.database}:${n.database}@postgres:5432/${n.database}
    healthcheck:
      disable: true

  ${n.name}:
    <<: *service
    build: { <<: *build, args: { APP: ${n.name}, PORT: "${n.port}" } }
    image: lienthong/${n.name}:local
    ports: ["${n.port}:${n.port}"]
    depends_on:
      <<: *service-deps
      ${n.name}-migrate:
        condition: service_completed_successfully
    environment: *${n.short.kebab}-env

`;
  edit(tree, 'docker-compose.yml', `the ${n.name} services`, (text) => {
    if (new RegExp(`^  ${n.name}:`, 'm').test(text)) return text;
    const volumes = text.search(/^volumes:/m);
    return volumes < 0 ? undefined : text.slice(0, volumes) + entries + text.slice(volumes);
  });
}

/** The database and its role: scripts/infra.sh for local runs, the init SQL for the compose Postgres. */
export function registerDatabase(tree: Tree, n: ServiceNames): void {
  if (!n.database.startsWith('lt_')) throw new Error(`database ${n.database} must start with lt_ (scripts/infra.sh creates lt_<service>)`);
  edit(tree, 'scripts/infra.sh', `${n.database.slice(3)} to SERVICES`, (text) => addToBashArray(text, 'SERVICES', n.database.slice(3)));
  edit(tree, 'deploy/compose/postgres/init-databases.sql', `the ${n.database} role and database`, (text) => {
    if (text.includes(`CREATE DATABASE ${n.database} `)) return text;
    const lines = text.split('\n');
    const lastRole = lines.map((l) => l.startsWith('CREATE ROLE ')).lastIndexOf(true);
    const lastDb = lines.map((l) => l.startsWith('CREATE DATABASE ')).lastIndexOf(true);
    if (lastRole < 0 || lastDb < lastRole) return undefined;
    lines.splice(lastDb + 1, 0, `CREATE DATABASE ${n.database} OWNER ${n.database};`);
    lines.splice(lastRole + 1, 0, `CREATE ROLE ${n.database} LOGIN PASSWORD '${n.database}';`);
    return lines.join('\n');
  });
}

/** `npm start` (scripts/start.sh) builds, migrates and runs every service in its SERVICES list. */
export function registerStartEntry(tree: Tree, n: ServiceNames): void {
  edit(tree, 'scripts/start.sh', `${n.name}:${n.port} to SERVICES`, (text) => addToBashArray(text, 'SERVICES', `${n.name}:${n.port}`));
}

/** eslint.config.mjs: a scope sees only itself and shared code, once it is in the `scopes` list. */
export function registerLintScope(tree: Tree, n: ServiceNames): void {
  edit(tree, 'eslint.config.mjs', `'${n.scope}' to the scopes list`, (text) => {
    const list = /^const scopes = \[([^\]]*)\];/m;
    const match = list.exec(text);
    if (!match) return undefined;
    if (new RegExp(`'${n.scope}'`).test(match[1] ?? '')) return text;
    return text.replace(list, `const scopes = [${match[1]}, '${n.scope}'];`);
  });
}
