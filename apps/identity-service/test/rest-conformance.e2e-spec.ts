import { bearer, createTestIssuer, uniqueName, type ProcessOutput } from '@lienthong/testing';
import { postPatient, startIdentity, type IdentityProcess } from './identity-process';

/**
 * What a REST client of the built identity-service can rely on, beyond "it works": the status and
 * Location of a registration (and of its idempotent replay), `Cache-Control: no-store` on everything
 * that carries patient data, one phone format (E.164) whatever the HIS typed, cursors that are
 * validated rather than crashing or being ignored, and one JSON-pointer form in errors and warnings.
 */

/** Seed facilities: TTYT Sóc Sơn (former district), BV Thanh Nhàn (provincial), Trạm Y tế xã Phù Linh (commune). */
const DISTRICT = '01904';
const PROVINCIAL = '01902';
const COMMUNE_STATION = '01905';

// The serial digits of a CCCD are free: derive them from the run so reruns against a shared Kafka differ.
const RUN_BASE = Date.now() % 1_000_000;
const serial = (n: number) => String((RUN_BASE + n * 7919) % 1_000_000).padStart(6, '0');
/** Hà Nội-registered (001), female born in the 1900s (digit 4 = 1), born 1985. */
const cccd = (n: number) => `001185${serial(n)}`;

/** `#`, or `#/a/0/b` with RFC 6901 escapes: the one pointer form of the API. */
const POINTER = /^#(\/([^~/]|~[01])*)*$/;

interface Registered {
  enterprisePatientId: string;
  outcome: string;
  warnings: { pointer?: string; field?: string; rule: string; message: string }[];
}
interface Problem {
  status: number;
  type: string;
  errors?: { pointer?: string; field?: string; rule: string }[];
}
interface PatientBody {
  enterprisePatientId: string;
  phone?: string;
}
interface AuditPage {
  items: { id: string; action: string; detail: Record<string, unknown> }[];
  nextCursor: string | null;
}

describe('identity-service REST conformance (built, as a process)', () => {
  const issuer = createTestIssuer();
  const runTag = uniqueName('rc').replace(/[^a-z0-9]/gi, '').toUpperCase();
  let identity: IdentityProcess | undefined;
  let migrateOutput: ProcessOutput = { stdout: '', stderr: '' };
  let base = '';

  const auth = async (claims: { facility?: string; role?: string }, scope: string, extra: Record<string, string> = {}) => ({
    authorization: await bearer(issuer, { ...claims, scope, sub: `rc-${claims.facility ?? claims.role ?? 'x'}` }),
    ...extra,
  });
  const facility = (code: string, scope: string, extra: Record<string, string> = {}) => auth({ facility: code }, scope, extra);
  const steward = (extra: Record<string, string> = {}) => auth({ role: 'data-steward' }, 'lienthong/mpi.steward', extra);

  async function register(code: string, body: Record<string, unknown>, idempotencyKey?: string): Promise<Response> {
    const extra: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
    return postPatient(base, await facility(code, 'system/Patient.cu', extra), body);
  }
  const getAs = async (path: string, headers: Record<string, string>) => fetch(`${base}${path}`, { headers });
  const readPatient = async (id: string, code = DISTRICT) => getAs(`/v1/patients/${id}`, await facility(code, 'system/Patient.rs'));

  const person = (localId: string, n: number, extra: Record<string, unknown> = {}) => ({
    localId: `${localId}-${runTag}`,
    fullName: 'Nguyễn Thị Thu Hà',
    birthDate: '1985-03-14',
    sex: 2,
    address: { provinceCode: '01', communeCode: '00004' },
    phone: '0912 345 678',
    identifiers: [{ system: 'cccd', value: cccd(n) }],
    ...extra,
  });

  beforeAll(async () => {
    identity = await startIdentity(issuer, { database: 'identity_rest_e2e' });
    ({ base, migrateOutput } = identity);
  });

  afterAll(async () => {
    await identity?.stop();
  });

  it('migrated its own database', () => {
    expect(migrateOutput.stdout).toContain('migrations applied');
  });

  it('answers a new registration 201 Created with Location; a link and an update answer 200 without one', async () => {
    const created = await register(DISTRICT, person('SS-1', 1));
    expect(created.status).toBe(201);
    const body = (await created.json()) as Registered;
    expect(body).toMatchObject({ outcome: 'created', warnings: [] });
    expect(created.headers.get('location')).toBe(`/v1/patients/${body.enterprisePatientId}`);
    // The Location answers: it is the patient just created.
    const there = await fetch(new URL(created.headers.get('location') ?? '', base), { headers: await facility(DISTRICT, 'system/Patient.rs') });
    expect(there.status).toBe(200);
    expect(((await there.json()) as PatientBody).enterprisePatientId).toBe(body.enterprisePatientId);

    const linked = await register(PROVINCIAL, person('TN-1', 1, { fullName: 'NGUYEN THI THU HA' }));
    expect(linked.status).toBe(200);
    expect(linked.headers.get('location')).toBeNull();
    expect(await linked.json()).toEqual({ enterprisePatientId: body.enterprisePatientId, outcome: 'linked', warnings: [] });

    const updated = await register(DISTRICT, person('SS-1', 1, { address: { provinceCode: '01', communeCode: '00004', line: 'số 5 ngõ 10' } }));
    expect(updated.status).toBe(200);
    expect(updated.headers.get('location')).toBeNull();
    expect(await updated.json()).toMatchObject({ enterprisePatientId: body.enterprisePatientId, outcome: 'updated' });
  });

  it('answers a registration sent to review 201 with Location: a new enterprise patient exists, pending a steward', async () => {
    const first = await register(DISTRICT, { localId: `SS-20-${runTag}`, fullName: 'Phạm Minh Tuấn', birthDate: '1978', sex: 1, address: { provinceCode: '01' } });
    expect(first.status).toBe(201);
    const candidate = (await first.json()) as Registered;
    const probable = await register(PROVINCIAL, { localId: `TN-20-${runTag}`, fullName: 'Pham Minh Tuan', birthDate: '1978', sex: 1, address: { provinceCode: '01' } });
    const body = (await probable.json()) as Registered;
    expect(body.outcome).toBe('review');
    expect(body.enterprisePatientId).not.toBe(candidate.enterprisePatientId);
    expect(probable.status).toBe(201);
    expect(probable.headers.get('location')).toBe(`/v1/patients/${body.enterprisePatientId}`);
  });

  it('replays an idempotent registration exactly as first answered: status, Location and body', async () => {
    const key = `idem-${runTag}`;
    const body = person('SS-3', 3);
    const first = await register(DISTRICT, body, key);
    expect(first.status).toBe(201);
    const firstBody: unknown = await first.json();
    const replay = await register(DISTRICT, body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(await replay.json()).toEqual(firstBody);

    // An update replayed stays an update: 200, no Location.
    const changed = person('SS-3', 3, { phone: '0987 654 321' });
    const update = await register(DISTRICT, changed, `${key}-2`);
    expect(update.status).toBe(200);
    const updateReplay = await register(DISTRICT, changed, `${key}-2`);
    expect(updateReplay.status).toBe(200);
    expect(updateReplay.headers.get('location')).toBeNull();
    expect(await updateReplay.json()).toMatchObject({ outcome: 'updated' });
  });

  it('marks every REST response that carries patient data Cache-Control: no-store', async () => {
    const a = (await (await register(DISTRICT, person('SS-4', 4))).json()) as Registered;
    const b = (await (await register(COMMUNE_STATION, { localId: `TYT-4-${runTag}`, fullName: 'Lò Văn Páo', birthDate: '1999-12-01', sex: 1 })).json()) as Registered;
    const noStore = (r: Response, what: string) => {
      expect([what, r.status, r.headers.get('cache-control')]).toEqual([what, expect.any(Number), 'no-store']);
      expect([what, r.status < 300]).toEqual([what, true]);
    };

    noStore(await register(DISTRICT, person('SS-5', 5)), 'POST /v1/patients (created)');
    noStore(await register(DISTRICT, person('SS-4', 4)), 'POST /v1/patients (updated)');
    noStore(await readPatient(a.enterprisePatientId), 'GET /v1/patients/{id}');
    noStore(await getAs(`/v1/patients?${new URLSearchParams({ identifier: `cccd|${cccd(4)}` }).toString()}`, await facility(DISTRICT, 'system/Patient.rs')), 'GET /v1/patients?identifier');
    noStore(await getAs(`/v1/patients?${new URLSearchParams({ localId: `SS-4-${runTag}` }).toString()}`, await facility(DISTRICT, 'system/Patient.rs')), 'GET /v1/patients?localId');
    noStore(await getAs(`/v1/patients/${a.enterprisePatientId}/audit`, await facility(DISTRICT, 'lienthong/audit.read')), 'GET /v1/patients/{id}/audit');
    noStore(await getAs('/v1/review-items', await steward()), 'GET /v1/review-items');

    const merge = await fetch(`${base}/v1/patients/${a.enterprisePatientId}/merge`, {
      method: 'POST',
      headers: await steward({ 'content-type': 'application/json' }),
      body: JSON.stringify({ mergedId: b.enterprisePatientId }),
    });
    noStore(merge, 'POST /v1/patients/{id}/merge');
    const { mergeId } = (await merge.json()) as { mergeId: string };
    noStore(await readPatient(b.enterprisePatientId, COMMUNE_STATION), 'GET /v1/patients/{merged id}');
    noStore(await fetch(`${base}/v1/merges/${mergeId}/unmerge`, { method: 'POST', headers: await steward() }), 'POST /v1/merges/{id}/unmerge');
  });

  it('shows phone numbers in E.164 whatever form the HIS typed, and a re-typed number is not a change', async () => {
    const created = (await (await register(DISTRICT, person('SS-6', 6, { phone: '(091) 234-5678' }))).json()) as Registered;
    const read = (await (await readPatient(created.enterprisePatientId)).json()) as PatientBody;
    expect(read.phone).toBe('+84912345678');
    const search = await getAs(`/v1/patients?${new URLSearchParams({ localId: `SS-6-${runTag}` }).toString()}`, await facility(DISTRICT, 'system/Patient.rs'));
    expect(((await search.json()) as { items: PatientBody[] }).items.map((p) => p.phone)).toEqual(['+84912345678']);

    // The HIS now sends the number as E.164 (or with its trunk 0): the same number, nothing changed.
    for (const typed of ['+84912345678', '0912345678']) {
      const again = await register(DISTRICT, person('SS-6', 6, { phone: typed }));
      expect(again.status).toBe(200);
    }
    const audit = await getAs(`/v1/patients/${created.enterprisePatientId}/audit`, await facility(DISTRICT, 'lienthong/audit.read'));
    const updates = ((await audit.json()) as AuditPage).items.filter((e) => e.action === 'patient.register' && e.detail['outcome'] === 'updated');
    expect(updates.map((e) => e.detail['changedFields'])).toEqual([[], []]);

    // A fixed line (2xx area code) too.
    const landline = (await (await register(DISTRICT, person('SS-7', 7, { phone: '024 3825 1234' }))).json()) as Registered;
    expect(((await (await readPatient(landline.enterprisePatientId)).json()) as PatientBody).phone).toBe('+842438251234');
  });

  it('refuses non-UUID, negative, fractional or out-of-range cursors with 422 naming the cursor', async () => {
    const patient = (await (await register(DISTRICT, person('SS-8', 8))).json()) as Registered;
    const auditPath = `/v1/patients/${patient.enterprisePatientId}/audit`;
    const cases: [string, string, Record<string, string>][] = [
      ['/v1/review-items', 'not-a-uuid', await steward()],
      ['/v1/review-items', '-1', await steward()],
      ['/v1/review-items', "' OR 1=1 --", await steward()],
      [auditPath, 'abc', await facility(DISTRICT, 'lienthong/audit.read')],
      [auditPath, '-5', await facility(DISTRICT, 'lienthong/audit.read')],
      [auditPath, '0', await facility(DISTRICT, 'lienthong/audit.read')],
      [auditPath, '1.5', await facility(DISTRICT, 'lienthong/audit.read')],
      [auditPath, '0190d8e0-0000-7000-8000-000000000000', await facility(DISTRICT, 'lienthong/audit.read')],
      // Past Postgres bigint: the database would refuse it with an error, so the API must first.
      [auditPath, '9223372036854775808', await facility(DISTRICT, 'lienthong/audit.read')],
    ];
    for (const [path, cursor, headers] of cases) {
      const response = await getAs(`${path}?${new URLSearchParams({ cursor }).toString()}`, headers);
      const problem = (await response.json()) as Problem;
      expect([path, cursor, response.status]).toEqual([path, cursor, 422]);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(problem.errors).toContainEqual(expect.objectContaining({ field: 'cursor' }));
    }
    for (const limit of ['0', '-3', 'ten']) {
      const response = await getAs(`${auditPath}?limit=${limit}`, await facility(DISTRICT, 'lienthong/audit.read'));
      expect([limit, response.status]).toEqual([limit, 422]);
    }
    // The largest bigint is a valid cursor: everything is before it.
    const largest = await getAs(`${auditPath}?cursor=9223372036854775807`, await facility(DISTRICT, 'lienthong/audit.read'));
    expect(largest.status).toBe(200);
  });

  it('honours a valid audit cursor: each page is older than the last, none repeats, the last has no cursor', async () => {
    const patient = (await (await register(DISTRICT, person('SS-9', 9))).json()) as Registered;
    for (let i = 0; i < 3; i += 1) expect((await readPatient(patient.enterprisePatientId)).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: '2', ...(cursor === null ? {} : { cursor }) });
      const response = await getAs(`/v1/patients/${patient.enterprisePatientId}/audit?${query.toString()}`, await facility(DISTRICT, 'lienthong/audit.read'));
      expect(response.status).toBe(200);
      const page = (await response.json()) as AuditPage;
      for (const item of page.items) {
        if (seen.length > 0) expect(BigInt(item.id) < BigInt(seen[seen.length - 1] ?? '0')).toBe(true);
        seen.push(item.id);
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    // register + 3 reads (+ each earlier page's own audit.read rows, which are newer than the first page): all distinct.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(pages).toBeGreaterThan(1);
    expect(cursor).toBeNull();
  });

  it('uses one JSON-pointer form (#/…) in body errors and registration warnings; query parameters are named', async () => {
    // Sex 1 against a CCCD whose digit 4 says female, and a phone that is no Vietnamese number: accepted, with warnings.
    const warned = await register(DISTRICT, person('SS-10', 10, { sex: 1, phone: '12345' }));
    expect(warned.status).toBe(201);
    const { warnings } = (await warned.json()) as Registered;
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: '#/phone', rule: 'phone.format' }),
        expect.objectContaining({ pointer: '#/identifiers/0/value', rule: expect.stringMatching(/^cccd\./) as unknown }),
      ]),
    );
    for (const w of warnings) expect(w.pointer).toMatch(POINTER);

    const invalid = await register(DISTRICT, person('SS-11', 11, { sex: 7, address: { communeCode: 'x' }, identifiers: [{ system: 'cccd', value: '12' }] }));
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as Problem;
    expect(problem.errors?.map((e) => e.pointer)).toEqual(expect.arrayContaining(['#/sex', '#/address/communeCode']));
    for (const e of problem.errors ?? []) expect(e.pointer).toMatch(POINTER);

    const badCccd = await register(DISTRICT, person('SS-12', 12, { identifiers: [{ system: 'cccd', value: '12' }] }));
    expect(((await badCccd.json()) as Problem).errors).toEqual([expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'cccd.format' })]);

    const badQuery = await getAs(`/v1/patients?${new URLSearchParams({ identifier: 'cccd|12' }).toString()}`, await facility(DISTRICT, 'system/Patient.rs'));
    expect(badQuery.status).toBe(422);
    const queryErrors = ((await badQuery.json()) as Problem).errors ?? [];
    expect(queryErrors.length).toBeGreaterThan(0);
    for (const e of queryErrors) expect(e).toMatchObject({ field: 'identifier' });
  });
});
