/**
 * Broker ACLs for restricted topics (TopicSpec.restrictedTo in libs/contracts/src/topics.ts), rendered
 * as Strimzi KafkaUser resources — one per principal, i.e. per service — and checked by deploy:validate.
 *
 * A restricted topic carries data whose mere presence is sensitive (e.g. identity.patient.restricted.v1:
 * links to HIV clinics and mental hospitals), so the registry names who may touch it:
 *   - producers: Write (and Describe) on the topic;
 *   - consumers: Read (and Describe) on the topic; Read, Write and Describe on its DLQ (they dead-letter
 *     poison messages and replay them); Read on their consumer groups, named `<service>…` by convention.
 * Nobody else: the Kafka resource enables the simple authorizer, and once a topic has any ACL the
 * broker denies every principal without one (including ANONYMOUS on the plain listener). Topics
 * without `restrictedTo` keep no ACLs and stay open to every platform client until every service has
 * its own principal (allow.everyone.if.no.acl.found in kafka.yaml).
 */
import { dlqTopicFor, type TopicSpec } from '@lienthong/contracts';

/** Strimzi's simple-authorization ACL rule, as the KafkaUser CRD spells it. */
export interface AclRule {
  readonly resource: { readonly type: 'topic' | 'group'; readonly name: string; readonly patternType: 'literal' | 'prefix' };
  readonly operations: readonly AclOperation[];
  readonly host: '*';
}
export type AclOperation = 'Read' | 'Write' | 'Describe';

/** One principal's rules: what its KafkaUser grants. */
export type AclsByPrincipal = Map<string, AclRule[]>;

const topicRule = (name: string, operations: readonly AclOperation[]): AclRule => ({
  resource: { type: 'topic', name, patternType: 'literal' },
  operations,
  host: '*',
});

/** Every principal's ACL rules for the restricted topics of the registry (principals in name order). */
export function restrictedTopicAcls(topics: readonly TopicSpec[]): AclsByPrincipal {
  const acls: AclsByPrincipal = new Map();
  const grant = (principal: string, rule: AclRule) => acls.set(principal, [...(acls.get(principal) ?? []), rule]);
  for (const topic of topics) {
    const access = topic.restrictedTo;
    if (access === undefined) continue;
    const dlq = dlqTopicFor(topic).name;
    for (const p of access.producers) grant(p, topicRule(topic.name, ['Write', 'Describe']));
    for (const c of access.consumers) {
      grant(c, topicRule(topic.name, ['Read', 'Describe']));
      grant(c, topicRule(dlq, ['Read', 'Write', 'Describe']));
    }
  }
  // A consumer needs its group; one prefix rule per consumer, however many topics it reads.
  for (const c of new Set(topics.flatMap((t) => t.restrictedTo?.consumers ?? []))) {
    grant(c, { resource: { type: 'group', name: c, patternType: 'prefix' }, operations: ['Read'], host: '*' });
  }
  return new Map([...acls.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Strimzi KafkaUser resources for these ACLs: mutual-TLS principals `CN=<service>`, simple authorization. */
export function kafkaUsers(acls: AclsByPrincipal, cluster: string): Record<string, unknown>[] {
  return [...acls.entries()].map(([principal, rules]) => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: {
      name: principal,
      labels: { 'strimzi.io/cluster': cluster, 'app.kubernetes.io/part-of': 'lienthong' },
      annotations: { 'lienthong.vn/acl-source': 'restrictedTo of the topics it names (libs/contracts/src/topics.ts)' },
    },
    spec: {
      authentication: { type: 'tls' },
      authorization: { type: 'simple', acls: rules.map((r) => ({ resource: { ...r.resource }, operations: [...r.operations], host: r.host })) },
    },
  }));
}

/** What a rendered KafkaUser grants: its name and its ACL rules (anything malformed reads as no rules). */
export interface RenderedUser {
  readonly name: string;
  readonly acls: readonly { resource?: { type?: string; name?: string; patternType?: string }; operations?: readonly string[] }[];
}

function matches(rule: RenderedUser['acls'][number], topicName: string): boolean {
  const r = rule.resource;
  if (r?.type !== 'topic' || typeof r.name !== 'string') return false;
  if (r.name === '*') return true;
  return r.patternType === 'prefix' ? topicName.startsWith(r.name) : r.name === topicName;
}

/**
 * Where the rendered users differ from what the registry allows on a restricted topic or its DLQ:
 * a principal the registry does not name, or an operation it does not grant (a `*`, a prefix that
 * covers the topic, a hand-written KafkaUser — all count), or a granted operation that is missing.
 */
export function aclViolations(topics: readonly TopicSpec[], users: readonly RenderedUser[]): string[] {
  const expected = restrictedTopicAcls(topics);
  const problems: string[] = [];
  const restricted = topics.filter((t) => t.restrictedTo !== undefined).flatMap((t) => [t.name, dlqTopicFor(t).name]);
  for (const topicName of restricted) {
    const want = new Map<string, Set<string>>();
    for (const [principal, rules] of expected) {
      for (const r of rules) if (r.resource.type === 'topic' && r.resource.name === topicName) want.set(principal, new Set(r.operations));
    }
    const have = new Map<string, Set<string>>();
    for (const u of users) {
      for (const rule of u.acls.filter((a) => matches(a, topicName))) {
        const ops = have.get(u.name) ?? new Set<string>();
        for (const op of rule.operations ?? []) ops.add(op);
        have.set(u.name, ops);
      }
    }
    for (const [principal, ops] of have) {
      const allowed = want.get(principal) ?? new Set<string>();
      const extra = [...ops].filter((op) => !allowed.has(op));
      if (extra.length > 0) problems.push(`${topicName}: KafkaUser ${principal} is granted ${extra.join(', ')}, which the topic registry does not allow`);
    }
    for (const [principal, ops] of want) {
      const missing = [...ops].filter((op) => !(have.get(principal)?.has(op) ?? false));
      if (missing.length > 0) problems.push(`${topicName}: KafkaUser ${principal} lacks ${missing.join(', ')}, which the topic registry grants`);
    }
  }
  return problems;
}
