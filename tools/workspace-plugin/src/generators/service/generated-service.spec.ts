import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * The generators' promise, kept on the real workspace: a service generated into a scratch copy of
 * this checkout (its tracked and new files, node_modules linked) lints, type-checks, builds and passes
 * its unit specs, and the deploy validator accepts its compose entries and kustomize app. About a
 * minute on two cores. Never generates into the checkout itself.
 */
const WORKSPACE = resolve(__dirname, '../../../../..');
const APP = 'scratch-referral-service';

function run(cwd: string, command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true', FORCE_COLOR: '0', CI: 'true' },
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)} in ${cwd}:\n${output.slice(-6000)}`);
  return output;
}

/** A copy of the checkout as git sees it (tracked plus new, unignored files), sharing node_modules. */
function scratchWorkspace(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'lt-generated-service-'));
  const files = run(WORKSPACE, 'git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z']).split('\0');
  for (const file of files) {
    if (file === '' || !existsSync(join(WORKSPACE, file))) continue; // deleted but not yet staged
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(WORKSPACE, file), join(scratch, file));
  }
  symlinkSync(join(WORKSPACE, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  return scratch;
}

describe('a generated service (scratch copy of the workspace)', () => {
  let scratch: string;
  const nx = (...args: string[]) => run(scratch, join(scratch, 'node_modules/.bin/nx'), args);

  beforeAll(() => {
    scratch = scratchWorkspace();
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('lints, type-checks, builds and passes its unit specs, with a second use case added', () => {
    nx('g', './tools/workspace-plugin:service', APP, '--port', '3990', '--no-interactive');
    nx('g', './tools/workspace-plugin:use-case', 'scratch-referral', 'accept-referral', '--project', APP, '--no-interactive');

    const output = nx('run-many', '-t', 'lint', 'typecheck', 'build', 'test', '-p', APP, '--parallel=2', '--outputStyle=static');

    expect(output).toMatch(/Successfully ran targets lint, typecheck, build, test/);
    expect(output).toMatch(/Tests: +5 passed, 5 total/);
    expect(existsSync(join(scratch, 'dist/apps', APP, 'main.js'))).toBe(true);
    expect(existsSync(join(scratch, 'dist/apps', APP, 'migrate.js'))).toBe(true);
    expect(readFileSync(join(scratch, 'dist/apps', APP, 'package.json'), 'utf8')).toContain('"typeorm"');
  });

  it('has compose entries and a kustomize app the deploy validator accepts', () => {
    const output = run(scratch, process.execPath, ['scripts/run-ts.cjs', 'deploy/tools/validate.ts']);

    // Every app the workspace deploys, plus the generated one.
    const deployed = readdirSync(join(WORKSPACE, 'deploy/k8s/apps')).length + 1;
    expect(readdirSync(join(scratch, 'deploy/k8s/apps'))).toContain(APP);
    expect(output).toMatch(new RegExp(`${deployed} app\\(s\\) consistent across Dockerfile, compose and k8s`));
  });
});
