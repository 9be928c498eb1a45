import { generateFiles, joinPathFragments, type Tree } from '@nx/devkit';
import { shortName, wordForms } from './naming';
import { registerDatabase, registerDeployEntries, registerLintScope, registerStartEntry } from './workspace-entries';

export interface ServiceGeneratorSchema {
  readonly name: string;
  readonly port: number;
  readonly scope?: string;
  readonly context?: string;
  readonly database?: string;
  /** Migration timestamp (ms); tests pin it, people get the current time. */
  readonly timestamp?: number;
}

export interface ServiceNames {
  readonly name: string;
  readonly port: number;
  readonly scope: string;
  readonly database: string;
  readonly timestamp: number;
  readonly short: ReturnType<typeof wordForms>;
  readonly context: ReturnType<typeof wordForms>;
}

export function serviceNames(schema: ServiceGeneratorSchema): ServiceNames {
  const short = shortName(schema.name);
  if (!Number.isInteger(schema.port) || schema.port < 1024 || schema.port > 65535) {
    throw new Error(`--port must be an integer between 1024 and 65535 (got ${String(schema.port)})`);
  }
  return {
    name: schema.name,
    port: schema.port,
    scope: schema.scope ?? short,
    database: schema.database ?? `lt_${short.replace(/-/g, '_')}`,
    timestamp: schema.timestamp ?? Date.now(),
    short: wordForms(short),
    context: wordForms(schema.context ?? short),
  };
}

/**
 * `nx g @lienthong/workspace-plugin:service <name> --port <n>`: the app in the layered shape (one
 * bounded context with its first use case, specs, int and e2e tests), its compose entries and
 * kustomize app, its database in scripts/infra.sh and the compose init SQL, and its scope tag.
 * No formatFiles: the workspace has no formatter (Prettier, oxfmt); the templates are written formatted.
 */
export default async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<void> {
  const names = serviceNames(schema);
  const appRoot = joinPathFragments('apps', names.name);
  if (tree.exists(appRoot)) throw new Error(`${appRoot} already exists`);

  const substitutions = {
    tmpl: '',
    name: names.name,
    port: names.port,
    scope: names.scope,
    database: names.database,
    timestamp: names.timestamp,
    short: names.short,
    context: names.context,
    // Path segments (generateFiles replaces __key__ in file and folder names).
    shortFile: names.short.kebab,
    contextFile: names.context.kebab,
    contextsFile: names.context.pluralKebab,
  };
  generateFiles(tree, joinPathFragments(__dirname, 'files', 'app'), appRoot, substitutions);
  generateFiles(tree, joinPathFragments(__dirname, 'files', 'k8s'), joinPathFragments('deploy/k8s/apps', names.name), substitutions);

  registerDeployEntries(tree, names);
  registerDatabase(tree, names);
  registerStartEntry(tree, names);
  registerLintScope(tree, names);
}
