// Lints source text that exists only in memory as if it sat at a path inside a real project, with
// the workspace's own eslint.config.mjs, and prints the findings as JSON. Reads the files as JSON on
// stdin. A process of its own: ESLint loads its config with a dynamic import(), which Jest's module
// sandbox refuses.   node -r ./scripts/run-ts.cjs tools/lint-rules/src/lint-text.ts < files.json
import { createProjectGraphAsync, workspaceRoot } from '@nx/devkit';
import { ESLint } from 'eslint';

export interface PlantedFile {
  readonly name: string;
  /** Relative to the workspace root; need not exist. */
  readonly filePath: string;
  readonly code: string;
}

export interface Finding {
  readonly ruleId: string | null;
  readonly line: number;
  readonly message: string;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString('utf8');
  return text;
}

async function main(): Promise<void> {
  const files = JSON.parse(await readStdin()) as PlantedFile[];
  // @nx/enforce-module-boundaries reads the cached project graph (tags included) and skips itself
  // when there is none: compute it now so the rules see today's project.json files.
  await createProjectGraphAsync({ exitOnError: true });
  // Planted paths are in no tsconfig's file list (they are not on disk); type-aware parsing takes
  // them into the default project with the workspace's compiler options. Everything else is the
  // real configuration.
  const eslint = new ESLint({
    cwd: workspaceRoot,
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: [...new Set(files.map((f) => f.filePath))],
            defaultProject: 'tsconfig.base.json',
            // Every planted path is in the default project (the parser refuses more than 8 by default).
            maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 32,
          },
        },
      },
    },
  });
  const findings: Record<string, Finding[]> = {};
  for (const file of files) {
    const [result] = await eslint.lintText(file.code, { filePath: file.filePath, warnIgnored: true });
    findings[file.name] = (result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message }));
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
