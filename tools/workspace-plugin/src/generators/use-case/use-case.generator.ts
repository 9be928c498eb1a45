import { generateFiles, joinPathFragments, readProjectConfiguration, type Tree } from '@nx/devkit';
import { wordForms } from '../service/naming';

export interface UseCaseGeneratorSchema {
  /** The bounded context folder under the app's src/. */
  readonly context: string;
  /** verb-noun, e.g. `accept-referral`. */
  readonly name: string;
  readonly project: string;
}

/** The app's root module: the one `*.module.ts` directly under src/. */
function rootModule(tree: Tree, sourceRoot: string): string {
  const modules = tree.children(sourceRoot).filter((f) => f.endsWith('.module.ts'));
  if (modules.length !== 1) throw new Error(`expected one *.module.ts in ${sourceRoot}, found ${modules.length}`);
  return joinPathFragments(sourceRoot, modules[0] ?? '');
}

/** Adds `entry` as the last element of the `providers: [...]` array and its import after the last import. */
export function registerProvider(source: string, entry: string, importLine: string): string {
  const start = source.indexOf('providers: [');
  if (start < 0) throw new Error('the module has no `providers: [` list to register the use case in');
  let depth = 0;
  let end = -1;
  for (let i = start + 'providers: '.length; i < source.length; i++) {
    if (source[i] === '[') depth++;
    else if (source[i] === ']' && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('the module\'s `providers: [` list is not closed');
  const body = source.slice(start + 'providers: ['.length, end);
  const trimmed = body.trimEnd();
  const indent = /\n(\s*)\S[^\n]*$/.exec(trimmed)?.[1] ?? '    ';
  const closingIndent = body.slice(trimmed.length);
  const separator = trimmed === '' || trimmed.endsWith(',') ? '' : ',';
  // A one-line list stays on one line; a list of one provider per line gets one more line.
  const list = body.includes('\n') ? `${trimmed}${separator}\n${indent}${entry},${closingIndent}` : `${trimmed}${trimmed === '' ? '' : ', '}${entry}`;
  const withProvider = `${source.slice(0, start)}providers: [${list}${source.slice(end)}`;
  const imports = [...withProvider.matchAll(/^import [^;]+;$/gms)];
  const last = imports[imports.length - 1];
  const at = last ? (last.index ?? 0) + last[0].length : 0;
  return `${withProvider.slice(0, at)}\n${importLine}${withProvider.slice(at)}`;
}

/**
 * `nx g @lienthong/workspace-plugin:use-case <context> <verb-noun> --project <app>`: the use case class
 * and its unit spec (on the context's in-memory fakes, created when missing) in
 * src/<context>/use-cases/<verb-noun>/, registered as a provider of the app's module.
 */
export default async function useCaseGenerator(tree: Tree, schema: UseCaseGeneratorSchema): Promise<void> {
  const project = readProjectConfiguration(tree, schema.project);
  const sourceRoot = project.sourceRoot ?? joinPathFragments(project.root, 'src');
  const contextRoot = joinPathFragments(sourceRoot, schema.context);
  if (!tree.exists(contextRoot)) throw new Error(`${contextRoot} does not exist: name an existing bounded context`);
  const useCases = joinPathFragments(contextRoot, 'use-cases');
  const folder = joinPathFragments(useCases, schema.name);
  if (tree.exists(folder)) throw new Error(`${folder} already exists`);

  const forms = wordForms(schema.name);
  const substitutions = { tmpl: '', name: schema.name, pascal: forms.pascal, context: schema.context };
  generateFiles(tree, joinPathFragments(__dirname, 'files'), useCases, substitutions);
  if (!tree.exists(joinPathFragments(useCases, `in-memory-${schema.context}.fakes.ts`))) {
    generateFiles(tree, joinPathFragments(__dirname, 'fakes'), useCases, substitutions);
  }

  const modulePath = rootModule(tree, sourceRoot);
  const importPath = `./${schema.context}/use-cases/${schema.name}/${schema.name}.use-case`;
  const updated = registerProvider(tree.read(modulePath, 'utf-8') ?? '', `${forms.pascal}UseCase`, `import { ${forms.pascal}UseCase } from '${importPath}';`);
  tree.write(modulePath, updated);
}
