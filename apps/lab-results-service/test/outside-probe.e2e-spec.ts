import { buildXml130File } from '@lienthong/xml130';
import { expectEventually, probe, rawProbe, startPausableProxy, startServiceProcess, type PausableProxy, type ProbeAnswer, type ServiceProcess } from '@lienthong/testing';
import { randomUUID } from 'node:crypto';
import { labVisit, syntheticPatient, xml1, xml130File } from '../src/lab-result/testing/xml130-visits';
import { bearer, createKeyedTestIssuer, FACILITIES, facilityHeaders, LAB_MAIN, serviceHeaders, startLabStack, submitXml130, withSql, type LabStack } from './lab-process';

/*
 * lab-results-service attacked from outside, on its build output (with the built identity- and
 * consent-service behind it): another facility's token on every route (reads by id included), tokens
 * without scopes, a person's, a service's without act-for; identifiers encoded every way in paths and
 * bodies; NUL bytes, bad UTF-8 and entity tricks in JSON and in XML 130; bodies too big or too many;
 * and a replica whose Postgres accepts connections and never answers. Every answer is problem+json —
 * never a 500, never a hang, never a stack — and a refusal writes nothing.
 */
const A = FACILITIES.dongDa; // sent the file, ran the check
const B = FACILITIES.socSon; // no relationship to the patient
const ALL = 'system/Observation.c system/Observation.rs';
const PROBLEM = /^application\/problem\+json/;
const XML = { 'content-type': 'application/xml' };
const JSON_TYPE = { 'content-type': 'application/json' };

function expectRefusal(answer: ProbeAnswer, status: number, what: string): void {
  expect({ what, status: answer.status }).toEqual({ what, status });
  expect(answer.contentType).toMatch(PROBLEM);
  expect(answer.body).not.toMatch(/\bat .*\.js:\d+|stack|TypeError|node_modules/);
}

describe('lab-results-service attacked from outside (built services)', () => {
  const issuer = createKeyedTestIssuer();
  let stack: LabStack;
  let hA: Record<string, string>;
  let hB: Record<string, string>;
  let submissionId: string;
  let checkId: string;
  let patientId: string;
  const seed = Date.now() % 900_000;
  const performed = new Date(Date.now() - 26 * 3_600_000);
  const maLk = `DD.PROBE.${seed}`;

  const counts = () =>
    withSql(stack.lab.db.url, async (sql) => {
      const { rows } = await sql.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM lab_results) AS results, (SELECT count(*) FROM visits) AS visits, (SELECT count(*) FROM reuse_checks) AS checks, (SELECT count(*) FROM reuse_decisions) AS decisions`,
      );
      return rows[0];
    });
  const checkBody = (patient: Record<string, string> = { enterprisePatientId: patientId }, purpose = 'treatment') => ({ patient, purpose, testCodes: ['GLU', 'CREA'] });
  /** Every route, with a body that succeeds for A. */
  const routes = () => [
    { method: 'POST', path: '/v1/xml130', xml: xml130File(A, [labVisit(A, `${maLk}.R`, syntheticPatient(seed + 7), performed)]) },
    { method: 'GET', path: `/v1/submissions/${submissionId}` },
    { method: 'POST', path: '/v1/reuse-checks', body: checkBody() },
    { method: 'GET', path: `/v1/reuse-checks/${checkId}` },
    { method: 'POST', path: `/v1/reuse-checks/${checkId}/decisions`, body: { testCode: 'GLU', decision: 'retested', retestReason: 'other' } },
  ];
  const send = (base: string, route: { method: string; path: string; body?: unknown; xml?: string }, headers: Record<string, string>) =>
    route.xml !== undefined
      ? probe(base, route.method, route.path, { ...headers, ...XML }, route.xml)
      : probe(base, route.method, route.path, route.body === undefined ? headers : { ...headers, ...JSON_TYPE }, route.body === undefined ? undefined : JSON.stringify(route.body));

  beforeAll(async () => {
    stack = await startLabStack(issuer, { name: 'lab_probe_e2e' });
    hA = await facilityHeaders(issuer, A, ALL);
    hB = await facilityHeaders(issuer, B, ALL);
    const submission = await submitXml130(stack.lab.base, hA, xml130File(A, [labVisit(A, maLk, syntheticPatient(seed), performed)]));
    expect(submission.visits.map((v) => v.outcome)).toEqual(['stored']);
    submissionId = submission.submissionId;
    patientId = await withSql(stack.lab.db.url, async (sql) => (await sql.query<{ id: string }>(`SELECT DISTINCT enterprise_patient_id AS id FROM lab_results`)).rows[0]?.id ?? '');
    const check = await probe(stack.lab.base, 'POST', '/v1/reuse-checks', { ...hA, ...JSON_TYPE }, JSON.stringify(checkBody()));
    expect(check.status).toBe(201);
    checkId = (JSON.parse(check.body) as { checkId: string }).checkId;
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('another facility, and tokens that may not', () => {
    it('another facility reads neither the submission nor the check by id (404, as for none; the check attempts audited as denied), decides nothing, and cannot refer without a link', async () => {
      const before = await counts();
      expectRefusal(await probe(stack.lab.base, 'GET', `/v1/submissions/${submissionId}`, hB), 404, 'submission');
      expectRefusal(await probe(stack.lab.base, 'GET', `/v1/reuse-checks/${checkId}`, hB), 404, 'check');
      const decide = await probe(stack.lab.base, 'POST', `/v1/reuse-checks/${checkId}/decisions`, { ...hB, ...JSON_TYPE }, JSON.stringify({ testCode: 'GLU', decision: 'retested', retestReason: 'other' }));
      expectRefusal(decide, 404, 'decision');
      const referral = await probe(stack.lab.base, 'POST', '/v1/reuse-checks', { ...hB, ...JSON_TYPE }, JSON.stringify(checkBody(undefined, 'referral')));
      expectRefusal(referral, 403, 'referral');
      expect(JSON.parse(referral.body)).toMatchObject({ reason: 'no-care-relationship' });
      // A file of A's visit sent with B's token: the visit is refused, nothing of it stored.
      const planted = await submitXml130(stack.lab.base, hB, xml130File(A, [labVisit(A, `${maLk}.B`, syntheticPatient(seed + 1), performed)]));
      expect(planted.visits.map((v) => [v.outcome, v.errors[0]?.pointer])).toEqual([['rejected', expect.stringMatching(/MA_CSKCB$/)]]);
      expect(await counts()).toEqual(before);
      const denied = await withSql(stack.lab.db.url, async (sql) =>
        (await sql.query<{ action: string }>(`SELECT action FROM audit_log WHERE facility_code = $1 AND outcome = 'denied' ORDER BY id`, [B])).rows.map((r) => r.action),
      );
      expect(denied).toEqual(['reuse-check.read', 'reuse-decision.record']);
    });

    it('a token without the scope, a person’s, a service’s without act-for: 403 on every route; a foreign or expired token: 401; nothing written', async () => {
      const before = await counts();
      const noScope = await facilityHeaders(issuer, A, 'system/Patient.rs');
      const person = { authorization: await bearer(issuer, { sub: 'bs-nguyen', role: 'ministry-analyst', scope: ALL }) };
      const service = await serviceHeaders(issuer, 'some-service', ALL);
      const foreign = { authorization: await bearer(createKeyedTestIssuer(), { facility: A, scope: ALL, sub: `his-${A}` }) };
      const expired = { authorization: await bearer(issuer, { facility: A, scope: ALL, sub: `his-${A}`, ttlSeconds: -60 }) };
      for (const route of routes()) {
        for (const [who, headers, status] of [
          ['no scope', noScope, 403],
          ['person', person, 403],
          ['service without act-for', service, 403],
          ['foreign issuer', foreign, 401],
          ['expired', expired, 401],
        ] as const) {
          expectRefusal(await send(stack.lab.base, route, headers), status, `${route.method} ${route.path} as ${who}`);
        }
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('identifiers encoded every way', () => {
    it('an upper-case UUID is the same id; braces, urn:, %2F, .., %00, %20 and bad UTF-8 are refused (400/404/422), never a 500', async () => {
      expect((await probe(stack.lab.base, 'GET', `/v1/reuse-checks/${checkId.toUpperCase()}`, hA)).status).toBe(200);
      expect((await probe(stack.lab.base, 'GET', `/v1/submissions/${submissionId.toUpperCase()}`, hA)).status).toBe(200);
      for (const id of [`{${checkId}}`, `urn:uuid:${checkId}`, `${checkId}%2F..%2F..%2Fmetrics`, `..%2F${checkId}`, `${checkId}%00`, `${checkId}%20`, '%FF%FE', '%C0%AE%C0%AE']) {
        for (const path of [`/v1/reuse-checks/${id}`, `/v1/submissions/${id}`, `/v1/rule-sets/${id}`, `/v1/reuse-checks/${id}/decisions`]) {
          const answer = path.endsWith('/decisions')
            ? await probe(stack.lab.base, 'POST', path, { ...hA, ...JSON_TYPE }, JSON.stringify({ testCode: 'GLU', decision: 'retested', retestReason: 'other' }))
            : await probe(stack.lab.base, 'GET', path, hA);
          expect([400, 404, 422]).toContain(answer.status);
          expectRefusal(answer, answer.status, path);
          // A path that is not UTF-8 is refused before routing, and not echoed back.
          if (id.startsWith('%')) expect([answer.status, answer.body.includes('%')]).toEqual([400, false]);
        }
      }
    });

    it('a patient named by CCCD or local id in encoded, padded or foreign forms is a 422 naming the field; nothing recorded', async () => {
      const before = await counts();
      const patients: Record<string, string>[] = [
        { cccd: '001%32%30%30%30%31%32%33%34%35' },
        { cccd: '００１２００００１２３４' },
        { cccd: ' 001200001234' },
        { cccd: '001200001234\u0000' },
        { localId: 'BN-1\u0000' },
        { localId: '' },
        { localId: 'x'.repeat(10_000) },
        { enterprisePatientId: `${randomUUID()}\u0000` },
        { enterprisePatientId: `urn:uuid:${randomUUID()}` },
        { cccd: '001200001234', localId: 'BN-1' },
      ];
      for (const patient of patients) {
        const answer = await probe(stack.lab.base, 'POST', '/v1/reuse-checks', { ...hA, ...JSON_TYPE }, JSON.stringify(checkBody(patient)));
        expectRefusal(answer, 422, JSON.stringify(patient).slice(0, 60));
        expect((JSON.parse(answer.body) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).join(' ')).toMatch(/#\/patient/);
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('hostile headers and bodies', () => {
    it('a NUL in a header is a problem+json 400; bad UTF-8 or junk in X-Purpose-Of-Use and X-Act-For-Facility a 422', async () => {
      for (const header of ['x-purpose-of-use', 'x-act-for-facility', 'x-request-id']) {
        const answer = await rawProbe(stack.lab.base, 'GET', `/v1/reuse-checks/${checkId}`, { ...hA, [header]: 'treat\u0000ment' });
        expectRefusal(answer, 400, header);
      }
      for (const [header, value] of [
        ['x-purpose-of-use', Buffer.from([0x74, 0xff, 0xfe])],
        ['x-purpose-of-use', 'marketing'],
        ['x-act-for-facility', Buffer.from([0x30, 0x31, 0xc0, 0xae])],
      ] as const) {
        const answer = await rawProbe(stack.lab.base, 'GET', `/v1/reuse-checks/${checkId}`, { ...hA, [header]: value });
        expect([400, 403, 422]).toContain(answer.status);
        expectRefusal(answer, answer.status, header);
      }
    });

    it('NUL, bad UTF-8, lone surrogates, prototype keys, 10,000 test codes, 100,000 nested arrays and 2 MB in JSON bodies are refused quickly (400/413/422), writing nothing', async () => {
      const before = await counts();
      const post = (body: string | Buffer) => rawProbe(stack.lab.base, 'POST', '/v1/reuse-checks', { ...hA, ...JSON_TYPE }, body);
      for (const [what, body, status] of [
        ['NUL in a test code', JSON.stringify({ ...checkBody(), testCodes: ['GLU\u0000'] }), 422],
        ['lone surrogate', `{"patient":{"enterprisePatientId":"${patientId}"},"purpose":"treatment","testCodes":["GLU\\ud800"]}`, 422],
        ['bad UTF-8', Buffer.concat([Buffer.from(`{"patient":{"enterprisePatientId":"${patientId}"},"purpose":"treatment","testCodes":["GL`), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]), 422],
        ['__proto__', `{"__proto__":{"purpose":"treatment"},"patient":{"enterprisePatientId":"${patientId}"},"testCodes":["GLU"]}`, 400],
        ['10,000 test codes', JSON.stringify({ ...checkBody(), testCodes: Array.from({ length: 10_000 }, () => 'GLU') }), 422],
        ['an unknown purpose', JSON.stringify({ ...checkBody(), purpose: 'marketing' }), 422],
      ] as const) {
        expectRefusal(await post(body), status, what);
      }
      // 100,000 nested arrays (200 KB): the text check walks it once. Before the fix it copied the path at every
      // level — minutes of CPU on the event loop for one request (the probe's 30 s deadline ran out).
      const deep = await post('['.repeat(100_000) + '"GLU"' + ']'.repeat(100_000));
      expectRefusal(deep, 422, '100,000 nested arrays');
      expect(deep.ms).toBeLessThan(5_000);
      // Declared 2 MB: refused on its Content-Length, before a byte is read (only the head is sent).
      expectRefusal(await rawProbe(stack.lab.base, 'POST', '/v1/reuse-checks', { ...hA, ...JSON_TYPE, 'content-length': String(2 * 1024 * 1024) }), 413, '2 MB');
      expect(await counts()).toEqual(before);
    });

    it('XML 130 with a DOCTYPE or entities, NUL or bad UTF-8 bytes, or a visit with a NUL in a field: 400 with the position or the visit rejected — no file read, nothing stored of it, never a 500', async () => {
      const before = await counts();
      const good = xml130File(A, [labVisit(A, `${maLk}.X`, syntheticPatient(seed + 2), performed)]);
      const afterDeclaration = (insert: string) => good.replace(/^(<\?xml[^>]*\?>)/, `$1${insert}`);
      for (const [what, body] of [
        ['external entity', afterDeclaration('<!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace('<GIAMDINHHS>', '<GIAMDINHHS>&x;')],
        ['entity expansion', afterDeclaration('<!DOCTYPE GIAMDINHHS [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>').replace('<GIAMDINHHS>', '<GIAMDINHHS>&b;')],
        ['a NUL byte', Buffer.concat([Buffer.from(good.slice(0, 60)), Buffer.from([0x00]), Buffer.from(good.slice(60))])],
        ['bad UTF-8', Buffer.concat([Buffer.from(good.slice(0, 60)), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(good.slice(60))])],
      ] as const) {
        const answer = await probe(stack.lab.base, 'POST', '/v1/xml130', { ...hA, ...XML }, body);
        expectRefusal(answer, 400, what);
        expect(answer.body).not.toContain('root:');
      }
      const nulInName = buildXml130File([{ ...labVisit(A, `${maLk}.N`, syntheticPatient(seed + 3), performed), xml1: xml1(A, `${maLk}.N`, syntheticPatient(seed + 3), { HO_TEN: 'Nguyễn\u0000Văn' }) }], { facility: A, count: 1 });
      const answer = await probe(stack.lab.base, 'POST', '/v1/xml130', { ...hA, ...XML }, nulInName);
      if (answer.status === 200) {
        expect((JSON.parse(answer.body) as { visits: { outcome: string }[] }).visits.map((v) => v.outcome)).toEqual(['rejected']);
      } else {
        expectRefusal(answer, 400, 'NUL in HO_TEN');
      }
      expect(await counts()).toEqual(before);
      expect(stack.lab.logs()).not.toMatch(/"statusCode":500/);
    });
  });

  describe('a database that accepts connections and never answers', () => {
    let proxy: PausableProxy;
    let stalled: ServiceProcess;

    beforeAll(async () => {
      const db = new URL(stack.lab.db.url);
      proxy = await startPausableProxy(db.hostname, Number(db.port || 5432));
      const { PORT: _port, ...env } = stack.lab.env;
      stalled = await startServiceProcess(LAB_MAIN, { ...env, DATABASE_URL: proxy.url(stack.lab.db.url), LAB_CONSUMER_GROUP: `${env['LAB_CONSUMER_GROUP'] ?? 'lab'}-stalled` });
    });

    afterAll(async () => {
      stalled?.kill();
      await proxy?.close();
    });

    it('every route, the upload included, answers 503 problem+json within the bounded waits; readiness turns false, and back once Postgres answers', async () => {
      proxy.pause();
      try {
        for (const route of routes()) {
          const answer = await send(stalled.base, route, hA);
          expect({ path: route.path, ms: answer.ms < 10_000 }).toEqual({ path: route.path, ms: true });
          expectRefusal(answer, 503, `${route.method} ${route.path}`);
        }
        expect((await probe(stalled.base, 'GET', '/health/ready', {})).status).toBe(503);
        for (const path of ['/health/live', '/metrics', '/docs-json']) expect((await probe(stalled.base, 'GET', path, {})).status).toBe(200);
      } finally {
        proxy.resume();
      }
      await expectEventually(async () => expect((await probe(stalled.base, 'GET', '/health/ready', {})).status).toBe(200), { timeoutMs: 30_000 });
      expect((await probe(stalled.base, 'GET', `/v1/reuse-checks/${checkId}`, hA)).status).toBe(200);
      expect(stalled.logs()).not.toMatch(/"statusCode":500/);
    });
  });
});
