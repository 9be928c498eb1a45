/**
 * Offline validation of everything under deploy/ plus docker-compose.yml and the app Dockerfiles.
 *   npx nx run deploy:validate      (= node scripts/run-ts.cjs deploy/tools/validate.ts)
 *
 * 1. Renders every kustomization (deploy/k8s/apps/<app>/overlays/*, deploy/k8s/kafka) with
 *    `kubectl kustomize` and validates each Kubernetes object against the OpenAPI schema of its kind
 *    (kubernetes-models); an unknown apiVersion/kind fails.
 * 2. Validates Strimzi resources against the openAPIV3Schema of Strimzi's own CRDs, generated from
 *    Strimzi's published API model (deploy/tools/strimzi/pom.xml), with unknown fields rejected.
 * 3. Fails when deploy/k8s/kafka/topics.yaml, users.yaml or the compose topic script is stale against
 *    the registry, and checks the ACLs: the Kafka enforces them (simple authorization, an authenticated
 *    listener) and every restricted topic and its DLQ is granted to exactly the principals the
 *    registry names, with exactly the operations kafka-acls.ts gives them — no other KafkaUser.
 * 4. Checks docker-compose.yml with `docker-compose config -q`.
 * 5. Checks conventions: one Dockerfile (deploy/docker/Dockerfile) whose APP and PORT come from the
 *    build; every app compose builds from it has its Nx project, a k8s base and both overlays, one port
 *    everywhere, its migration one-shot and Job when it has src/migrate.ts, probes on /health/*,
 *    resources and a locked-down securityContext.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { ALL_TOPICS } from '@lienthong/contracts';
import { KAFKA_CLUSTER, REPO_ROOT, topicDrift } from './generate-kafka-topics';
import { aclViolations, type RenderedUser } from './kafka-acls';

type Obj = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}
interface Rendered {
  source: string;
  objects: K8sObject[];
}

const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');
const APPS_DIR = join(REPO_ROOT, 'apps');
const DOCKERFILE = join(REPO_ROOT, 'deploy/docker/Dockerfile');
const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');
const STRIMZI_POM = join(REPO_ROOT, 'deploy/tools/strimzi/pom.xml');
const STRIMZI_CACHE = join(REPO_ROOT, 'tmp/strimzi-crds');
const OVERLAYS = ['local', 'production'] as const;
/** The Strimzi kinds we use, and the API model class CrdGenerator builds each CRD from. */
const STRIMZI_KINDS: Record<string, string> = {
  Kafka: 'io.strimzi.api.kafka.model.kafka.Kafka',
  KafkaNodePool: 'io.strimzi.api.kafka.model.nodepool.KafkaNodePool',
  KafkaTopic: 'io.strimzi.api.kafka.model.topic.KafkaTopic',
  KafkaUser: 'io.strimzi.api.kafka.model.user.KafkaUser',
};
const STRIMZI_API_VERSION = 'v1';
/** Every app kustomization must render these kinds. */
const APP_KINDS = [
  'ServiceAccount',
  'ConfigMap',
  'Deployment',
  'Service',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const errors: string[] = [];
const fail = (where: string, message: string): void => {
  errors.push(`${where}: ${message}`);
};
const rel = (p: string): string => relative(REPO_ROOT, p) || '.';
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (o: K8sObject): string => `${o.kind}/${o.metadata?.name ?? '?'}`;

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

// ------------------------------------------------------------------ rendering

function kustomizations(): string[] {
  const dirs: string[] = [];
  const appsK8s = join(K8S_DIR, 'apps');
  for (const app of existsSync(appsK8s) ? readdirSync(appsK8s).sort() : []) {
    const overlays = join(appsK8s, app, 'overlays');
    for (const o of existsSync(overlays) ? readdirSync(overlays).sort() : []) dirs.push(join(overlays, o));
  }
  dirs.push(join(K8S_DIR, 'kafka'));
  return dirs.filter((d) => existsSync(join(d, 'kustomization.yaml')));
}

function render(dir: string): Rendered {
  if (!which('kubectl')) {
    throw new Error('kubectl not found: install it (Debian: apt-get install kubectl; it embeds kustomize)');
  }
  const out = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(out)) {
    if (doc.errors.length > 0) fail(rel(dir), `rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObj(value) || typeof value['apiVersion'] !== 'string' || typeof value['kind'] !== 'string') {
      fail(rel(dir), 'a rendered document has no apiVersion/kind');
      continue;
    }
    objects.push(value as K8sObject);
  }
  return { source: rel(dir), objects };
}

// ------------------------------------------------------------------ Kubernetes schemas

interface Validatable {
  validate(): void;
}
type ModelCtor = new (data: unknown) => Validatable;

/** kubernetes-models keeps one module per kind: <group or "v1">/<version>/<Kind>. */
function kubernetesModel(apiVersion: string, kind: string): ModelCtor | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^[a-z0-9.]*$/.test(group ?? '') || !/^v[a-z0-9]+$/.test(version ?? '')) {
    return undefined;
  }
  const modulePath = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  try {
    const mod = require(modulePath) as Record<string, unknown>;
    const ctor = mod[kind];
    return typeof ctor === 'function' ? (ctor as ModelCtor) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's decoder (Go's
 * encoding/base64) skips the newlines but the schema's `byte` format does not, so unwrap them.
 */
function forSchema(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret' || !isObj(o['data'])) return o;
  const data = Object.fromEntries(
    Object.entries(o['data']).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]),
  );
  return { ...o, data };
}

function validateKubernetes(o: K8sObject, where: string): void {
  const Model = kubernetesModel(o.apiVersion, o.kind);
  if (!Model) {
    fail(where, `${describe(o)}: unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
    return;
  }
  try {
    new Model(forSchema(o)).validate();
  } catch (e) {
    fail(where, `${describe(o)}: ${(e as Error).message}`);
  }
}

// ------------------------------------------------------------------ Strimzi schemas

/** Generates (once, cached by pom content) the Strimzi CRDs and returns each kind's openAPIV3Schema. */
function strimziSchemas(): Map<string, Obj> {
  const pom = readFileSync(STRIMZI_POM);
  const key = createHash('sha256')
    .update(pom)
    .update(JSON.stringify([STRIMZI_KINDS, STRIMZI_API_VERSION]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(STRIMZI_CACHE, key);
  const crdFile = (kind: string): string => join(dir, 'crds', `${kind}.yaml`);
  if (!Object.keys(STRIMZI_KINDS).every((k) => existsSync(crdFile(k)))) {
    for (const cmd of ['mvn', 'java']) {
      if (!which(cmd)) throw new Error(`${cmd} not found (apt-get install maven openjdk-17-jre-headless)`);
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'crds'), { recursive: true });
    const libs = join(dir, 'libs');
    const mvn = spawnSync(
      'mvn',
      ['-q', '-B', '-f', STRIMZI_POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libs}`],
      { encoding: 'utf8' },
    );
    if (mvn.status !== 0) throw new Error(`fetching the Strimzi API jars failed:\n${mvn.stdout}${mvn.stderr}`);
    // The generator jar is shaded with older fabric8 classes: it goes last so the model's versions win.
    const jars = readdirSync(libs).filter((f) => f.endsWith('.jar'));
    const generator = jars.filter((f) => f.startsWith('crd-generator-'));
    const classpath = [...jars.filter((f) => !generator.includes(f)).sort(), ...generator]
      .map((f) => join(libs, f))
      .join(':');
    const gen = spawnSync(
      'java',
      [
        '-cp',
        classpath,
        'io.strimzi.crdgenerator.CrdGenerator',
        '--target-kube',
        '1.16+',
        '--crd-api-version',
        'v1',
        '--api-versions',
        STRIMZI_API_VERSION,
        '--storage-version',
        STRIMZI_API_VERSION,
        '--yaml',
        ...Object.entries(STRIMZI_KINDS).map(([kind, cls]) => `${cls}=${crdFile(kind)}`),
      ],
      { encoding: 'utf8' },
    );
    if (gen.status !== 0) throw new Error(`Strimzi CRD generation failed:\n${gen.stdout}${gen.stderr}`);
    writeFileSync(join(dir, 'SOURCE'), `generated by deploy/tools/validate.ts from ${rel(STRIMZI_POM)}\n`);
  }
  const schemas = new Map<string, Obj>();
  for (const kind of Object.keys(STRIMZI_KINDS)) {
    const crd = parse(readFileSync(crdFile(kind), 'utf8')) as Obj;
    const spec = crd['spec'] as { versions: { name: string; schema: { openAPIV3Schema: Obj } }[] };
    const version = spec.versions.find((v) => v.name === STRIMZI_API_VERSION);
    if (!version) throw new Error(`Strimzi CRD for ${kind} has no ${STRIMZI_API_VERSION} version`);
    schemas.set(kind, version.schema.openAPIV3Schema);
  }
  return schemas;
}

/**
 * The API server prunes unknown fields and `kubectl apply` rejects them (strict field validation);
 * JSON Schema allows them unless told. Close every object schema that is not explicitly open.
 */
function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    schema.forEach(closeObjects);
    return;
  }
  if (!isObj(schema)) return;
  if (
    isObj(schema['properties']) &&
    schema['additionalProperties'] === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema['additionalProperties'] = false;
  }
  Object.values(schema).forEach(closeObjects);
}

function strimziValidators(): Map<string, ValidateFunction> {
  // OpenAPI v3 schemas as Kubernetes uses them: `nullable`, `x-kubernetes-*` and int32/int64 formats.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const [kind, schema] of strimziSchemas()) {
    const closed = structuredClone(schema);
    closeObjects(closed);
    // metadata is `type: object` in CRDs; the API server checks it, and so does checkMetadata here.
    validators.set(kind, ajv.compile(closed));
  }
  return validators;
}

function validateStrimzi(o: K8sObject, where: string, validators: Map<string, ValidateFunction>): void {
  const validate = validators.get(o.kind);
  if (!validate || o.apiVersion !== `kafka.strimzi.io/${STRIMZI_API_VERSION}`) {
    fail(where, `${describe(o)}: unsupported Strimzi resource ${o.apiVersion} ${o.kind}`);
    return;
  }
  if (!validate(o)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
      fail(where, `${describe(o)}: ${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`);
    }
  }
}

// ------------------------------------------------------------------ conventions

function checkMetadata(o: K8sObject, where: string): void {
  const name = o.metadata?.name;
  if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name)) {
    fail(where, `${o.kind}: metadata.name ${JSON.stringify(name)} is not a valid Kubernetes name`);
  }
}

function checkUnique(r: Rendered): void {
  const seen = new Set<string>();
  for (const o of r.objects) {
    const id = `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) fail(r.source, `duplicate object ${id}`);
    seen.add(id);
  }
}

interface Probe {
  httpGet?: { path?: string };
}
interface Container {
  name: string;
  ports?: { containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

/** kubernetes-models accepts unknown fields, so a misspelt probe would pass: assert what we rely on. */
function checkAppRender(app: string, port: number | undefined, r: Rendered): void {
  const kinds = new Set(r.objects.map((o) => o.kind));
  for (const k of APP_KINDS) if (!kinds.has(k)) fail(r.source, `renders no ${k}`);
  const configMaps = new Set(r.objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
  for (const d of r.objects.filter((o) => o.kind === 'Deployment')) {
    const where = `${r.source} ${describe(d)}`;
    const pod = (d['spec'] as { template: { spec: { securityContext?: { runAsNonRoot?: boolean }; containers: Container[] } } })
      .template.spec;
    if (pod.securityContext?.runAsNonRoot !== true) fail(where, 'pod securityContext.runAsNonRoot must be true');
    for (const c of pod.containers) {
      const at = `${where} container ${c.name}`;
      if (c.livenessProbe?.httpGet?.path !== '/health/live') fail(at, 'livenessProbe must GET /health/live');
      if (c.startupProbe?.httpGet?.path !== '/health/live') fail(at, 'startupProbe must GET /health/live');
      if (c.readinessProbe?.httpGet?.path !== '/health/ready') fail(at, 'readinessProbe must GET /health/ready');
      for (const side of ['requests', 'limits'] as const) {
        for (const res of ['cpu', 'memory']) {
          if (!c.resources?.[side]?.[res]) fail(at, `resources.${side}.${res} is missing`);
        }
      }
      const sc = c.securityContext;
      if (sc?.readOnlyRootFilesystem !== true) fail(at, 'securityContext.readOnlyRootFilesystem must be true');
      if (sc?.allowPrivilegeEscalation !== false) fail(at, 'securityContext.allowPrivilegeEscalation must be false');
      if (!sc?.capabilities?.drop?.includes('ALL')) fail(at, 'securityContext.capabilities.drop must include ALL');
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef && !configMaps.has(ref.configMapRef.name)) {
          fail(at, `envFrom ConfigMap ${ref.configMapRef.name} is not rendered`);
        }
      }
      if (port !== undefined && !(c.ports ?? []).some((p) => p.containerPort === port)) {
        fail(at, `containerPort ${port} (compose build arg PORT) is not declared`);
      }
    }
  }
  for (const s of r.objects.filter((o) => o.kind === 'Service')) {
    const ports = (s['spec'] as { ports?: { port: number }[] }).ports ?? [];
    if (port !== undefined && !ports.some((p) => p.port === port)) fail(`${r.source} ${describe(s)}`, `does not expose port ${port}`);
  }
  const cm = r.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${app}-config`));
  const cmData = cm?.['data'] as Record<string, string> | undefined;
  const cmPort = cmData?.['PORT'];
  if (port !== undefined && cmPort !== String(port)) fail(r.source, `ConfigMap ${app}-config PORT=${cmPort} (expected ${port})`);
  // components/service names every object after it: a copied config.env would rename another app.
  if (cmData?.['OTEL_SERVICE_NAME'] !== app) fail(r.source, `ConfigMap ${app}-config OTEL_SERVICE_NAME=${cmData?.['OTEL_SERVICE_NAME']} (expected ${app})`);
  if (!r.objects.some((o) => o.kind === 'Deployment' && o.metadata.name === app)) fail(r.source, `renders no Deployment named ${app}`);
}

interface ComposeService {
  build?: { context?: string; dockerfile?: string; args?: Record<string, string | number> } | string;
  image?: string;
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition?: string }> | string[];
}

/** `ARG <name>` lines of a Dockerfile, with their default when one is given. */
function dockerfileArgs(dockerfile: string): Map<string, string | undefined> {
  const args = new Map<string, string | undefined>();
  for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^ARG (\w+)(?:=(\S+))?\s*$/gm)) {
    if (m[1] !== undefined && !args.has(m[1])) args.set(m[1], m[2]);
  }
  return args;
}

/** The one image recipe: the app and its port must come from the build, never a default. */
function checkDockerfile(): void {
  const where = rel(DOCKERFILE);
  if (!existsSync(DOCKERFILE)) {
    fail(where, 'is missing (every service image is built from it)');
    return;
  }
  const args = dockerfileArgs(DOCKERFILE);
  for (const name of ['APP', 'PORT']) {
    if (!args.has(name)) fail(where, `must declare ARG ${name}`);
    else if (args.get(name) !== undefined) fail(where, `ARG ${name} must have no default (compose passes it per service)`);
  }
  const strays = existsSync(APPS_DIR) ? readdirSync(APPS_DIR).filter((a) => existsSync(join(APPS_DIR, a, 'Dockerfile'))) : [];
  for (const a of strays) fail(`apps/${a}/Dockerfile`, `every service builds from ${where}; remove this copy`);
}

function dependsOn(svc: ComposeService): Record<string, { condition?: string }> {
  return svc.depends_on && !Array.isArray(svc.depends_on) ? svc.depends_on : {};
}

/**
 * A deployed app is a compose service built from the one Dockerfile. Each has its Nx project, one
 * port everywhere (build arg PORT, published port, ConfigMap PORT, containerPort, Service), a k8s
 * base and both overlays; an app with src/migrate.ts also has its migration one-shot in compose and
 * its migration Job in Kubernetes.
 */
function checkApps(composeServices: Record<string, ComposeService>, rendered: Rendered[]): number {
  const dockerfile = rel(DOCKERFILE);
  const apps: string[] = [];
  for (const [app, svc] of Object.entries(composeServices)) {
    if (!svc.build) continue;
    const where = `app ${app}`;
    apps.push(app);
    const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
    if (build.dockerfile !== dockerfile || build.context !== '.') {
      fail(where, `compose build must be { context: ., dockerfile: ${dockerfile} } (the x-build anchor)`);
    }
    if (String(build.args?.['APP']) !== app) fail(where, `compose build.args.APP must be ${app}`);
    const portArg = String(build.args?.['PORT'] ?? '');
    const port = /^\d+$/.test(portArg) ? Number(portArg) : undefined;
    if (port === undefined) fail(where, 'compose build.args.PORT must be a port number');
    if (!existsSync(join(APPS_DIR, app, 'project.json'))) fail(where, `apps/${app}/project.json is missing (compose builds an app that does not exist)`);
    if (port !== undefined && !(svc.ports ?? []).includes(`${port}:${port}`)) fail(where, `compose must publish "${port}:${port}"`);
    if (port !== undefined && svc.environment?.['PORT'] !== undefined && String(svc.environment['PORT']) !== String(port)) {
      fail(where, `compose PORT must be ${port} (or left to the image)`);
    }
    if (!svc.healthcheck) fail(where, 'compose service needs a healthcheck');
    const deps = svc.depends_on;
    if (!deps || Array.isArray(deps) || !Object.values(deps).every((d) => d.condition)) {
      fail(where, 'compose depends_on must use conditions (service_healthy)');
    }

    const migrates = existsSync(join(APPS_DIR, app, 'src', 'migrate.ts'));
    if (migrates) {
      // The one-shot runs the app's own image; the app starts only after it succeeded.
      const oneShot = Object.entries(composeServices).find(
        ([name, s]) => name !== app && s.image === svc.image && !s.build && [s.command].flat().join(' ') === 'node migrate.js',
      );
      if (!oneShot) fail(where, `compose needs a one-shot running "node migrate.js" with image ${svc.image ?? '?'}`);
      else if (dependsOn(svc)[oneShot[0]]?.condition !== 'service_completed_successfully') {
        fail(where, `compose must depend on ${oneShot[0]} with condition service_completed_successfully`);
      }
    }

    const base = join(K8S_DIR, 'apps', app, 'base', 'kustomization.yaml');
    if (!existsSync(base)) fail(where, `${rel(base)} is missing`);
    for (const overlay of OVERLAYS) {
      const source = rel(join(K8S_DIR, 'apps', app, 'overlays', overlay));
      const r = rendered.find((x) => x.source === source);
      if (!r) {
        fail(where, `${source}/kustomization.yaml is missing`);
        continue;
      }
      checkAppRender(app, port, r);
      const job = r.objects.some((o) => o.kind === 'Job' && o.metadata.name === `${app}-migrate`);
      if (migrates && !job) fail(r.source, `renders no Job ${app}-migrate (apps/${app}/src/migrate.ts exists: include components/migrate-job)`);
      if (!migrates && job) fail(r.source, `renders Job ${app}-migrate but apps/${app}/src/migrate.ts does not exist`);
    }
  }
  // And the other way round: manifests for an app that is not deployed.
  const k8sApps = existsSync(join(K8S_DIR, 'apps')) ? readdirSync(join(K8S_DIR, 'apps')) : [];
  for (const a of k8sApps) if (!apps.includes(a)) fail(`deploy/k8s/apps/${a}`, `docker-compose.yml builds no "${a}"`);
  return apps.sort().length;
}

// ------------------------------------------------------------------ docker-compose

/** Debian's docker-compose 1.29 parses and validates the file without a Docker engine. */
function ensureDockerCompose(): string | undefined {
  if (which('docker-compose')) return 'docker-compose';
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !which('apt-get')) return undefined;
  console.log('deploy: installing docker-compose (apt-get install -y docker-compose)…');
  const quiet = { stdio: 'ignore' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  if (spawnSync('apt-get', ['install', '-y', '-q', 'docker-compose'], quiet).status !== 0) {
    spawnSync('apt-get', ['update', '-q'], quiet);
    spawnSync('apt-get', ['install', '-y', '-q', 'docker-compose'], quiet);
  }
  return which('docker-compose') ? 'docker-compose' : undefined;
}

function checkCompose(): Record<string, ComposeService> {
  const bin = ensureDockerCompose();
  if (!bin) {
    fail('docker-compose.yml', 'docker-compose not found: apt-get install docker-compose (Debian, v1.29)');
  } else {
    const res = spawnSync(bin, ['-f', COMPOSE_FILE, '--project-directory', REPO_ROOT, 'config', '-q'], {
      encoding: 'utf8',
      cwd: REPO_ROOT,
    });
    if (res.status !== 0) fail('docker-compose.yml', `docker-compose config -q: ${(res.stderr || res.stdout).trim()}`);
  }
  const doc = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services?: Record<string, ComposeService> };
  return doc.services ?? {};
}

// ------------------------------------------------------------------ ACLs

/**
 * A restricted topic is only as closed as the broker makes it: the Kafka must authorize (simple) and
 * authenticate someone, and across every rendered KafkaUser the grants on each restricted topic must
 * be exactly the registry's (kafka-acls.ts).
 */
function checkAcls(rendered: Rendered[]): void {
  const objects = rendered.flatMap((r) => r.objects.map((o) => ({ source: r.source, o })));
  const restricted = ALL_TOPICS.filter((t) => t.restrictedTo !== undefined);
  if (restricted.length === 0) return;
  for (const { source, o } of objects.filter((x) => x.o.kind === 'Kafka')) {
    const kafka = (o['spec'] as { kafka?: { authorization?: { type?: string }; listeners?: { authentication?: { type?: string } }[] } }).kafka;
    if (kafka?.authorization?.type !== 'simple') fail(`${source} ${describe(o)}`, 'spec.kafka.authorization.type must be simple: restricted topics rely on ACLs');
    if (!(kafka?.listeners ?? []).some((l) => l.authentication?.type !== undefined)) {
      fail(`${source} ${describe(o)}`, 'no listener authenticates clients: every KafkaUser would be unreachable');
    }
  }
  const users: RenderedUser[] = objects
    .filter((x) => x.o.kind === 'KafkaUser')
    .map(({ o }) => {
      const authorization = (o['spec'] as { authorization?: { acls?: RenderedUser['acls'] } } | undefined)?.authorization;
      return { name: o.metadata.name, acls: authorization?.acls ?? [] };
    });
  for (const problem of aclViolations(restricted, users)) fail('deploy/k8s/kafka', problem);
}

// ------------------------------------------------------------------ main

function main(): void {
  const started = Date.now();
  const rendered: Rendered[] = [];
  for (const dir of kustomizations()) {
    try {
      rendered.push(render(dir));
    } catch (e) {
      fail(rel(dir), `kubectl kustomize failed: ${(e as Error).message.split('\n').slice(0, 5).join(' ')}`);
    }
  }

  let strimzi: Map<string, ValidateFunction> | undefined;
  let k8sCount = 0;
  let strimziCount = 0;
  const kafkaClusters = new Set<string>();
  for (const r of rendered) {
    checkUnique(r);
    for (const o of r.objects) {
      checkMetadata(o, r.source);
      if (o.apiVersion.startsWith('kafka.strimzi.io/')) {
        try {
          strimzi ??= strimziValidators();
        } catch (e) {
          fail('strimzi', (e as Error).message);
          strimzi = new Map();
        }
        validateStrimzi(o, r.source, strimzi);
        strimziCount++;
        if (o.kind === 'Kafka') kafkaClusters.add(o.metadata.name);
      } else {
        validateKubernetes(o, r.source);
        k8sCount++;
      }
    }
  }
  // Strimzi ignores a topic or node pool whose cluster label names no Kafka: catch it here.
  for (const r of rendered) {
    for (const o of r.objects.filter((x) => x.kind === 'KafkaTopic' || x.kind === 'KafkaNodePool' || x.kind === 'KafkaUser')) {
      const cluster = o.metadata.labels?.['strimzi.io/cluster'];
      if (cluster !== KAFKA_CLUSTER || !kafkaClusters.has(cluster)) {
        fail(r.source, `${describe(o)}: label strimzi.io/cluster=${cluster} names no rendered Kafka`);
      }
    }
  }

  checkAcls(rendered);

  const stale = topicDrift();
  for (const f of stale) fail(f, 'stale: regenerate with `npx nx run deploy:generate` and commit');

  const composeServices = checkCompose();
  checkDockerfile();
  const appCount = checkApps(composeServices, rendered);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (errors.length > 0) {
    console.error(`deploy: ${errors.length} problem(s):`);
    for (const e of errors) console.error(`  - ${e}`);
    console.error(`deploy: FAILED in ${seconds}s`);
    process.exit(1);
  }
  console.log(
    `deploy: ${k8sCount + strimziCount} objects valid (${k8sCount} Kubernetes, ${strimziCount} Strimzi) ` +
      `from ${rendered.length} kustomizations; ${appCount} app(s) consistent across Dockerfile, compose and k8s; ` +
      `topics up to date; docker-compose.yml valid (${seconds}s)`,
  );
}

main();
