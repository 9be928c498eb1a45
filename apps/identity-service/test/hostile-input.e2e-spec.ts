import { createTestIssuer, expectEventually, facilityHeaders, uniqueName, type ServiceProcess } from '@lienthong/testing';
import { startIdentity, syntheticAdults, type IdentityProcess } from './identity-process';

/**
 * identity-service built and run as a process, fed what an outside probe sent it: control characters,
 * invalid UTF-8 and lone surrogates in every kind of input, and CCCDs in URL-encoded disguises. Each
 * hostile input must be refused with a 422 naming the field, write nothing, never cause a 500, and
 * leave logs that serialize; no encoding of a CCCD may survive into stdout or stderr.
 */

/** Trung tâm Y tế khu vực Sóc Sơn: a former district hospital (seed data). */
const FACILITY = '01904';

interface Problem {
  status: number;
  code: string;
  errors?: { pointer?: string; field?: string; rule: string; message: string }[];
}

/** Every percent-escape of every character: `079…` → `%30%37%39…`, upper or lower case hex. */
const escapeEach = (text: string, lower = false) =>
  [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')[lower ? 'toLowerCase' : 'toUpperCase']()}`).join('');

/** What a reader of the logs could recover: the text with `+` and percent-escapes decoded, twice. */
function decodedTwice(text: string): string {
  const once = (s: string) => s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return once(once(text));
}

describe('identity-service refuses hostile input (built, as a process)', () => {
  const issuer = createTestIssuer();
  /** Two distinct synthetic CCCDs unique to this run: one never registered, one for the accepted case. */
  const [CCCD, ACCEPTED_CCCD] = syntheticAdults(2).map((p) => p.cccd) as [string, string];
  const runTag = uniqueName('hostile').replace(/[^a-z0-9]/gi, '').toUpperCase();

  let identity: IdentityProcess | undefined;
  let service: ServiceProcess | undefined;
  let base = '';

  const authHeaders = (extra: Record<string, string> = {}) => facilityHeaders(issuer, FACILITY, 'system/Patient.crus', extra);

  const body = (localId: string, overrides: Record<string, unknown> = {}) => ({
    localId,
    fullName: 'Nguyễn Thị Hồng',
    birthDate: '1990-04-12',
    sex: 2,
    address: { provinceCode: '01', line: 'Số 12 ngõ 34 Phố Huế' },
    identifiers: [{ system: 'cccd', value: CCCD }],
    ...overrides,
  });

  /** POSTs raw bytes, so a test can send what JSON.stringify never would. */
  async function postRaw(payload: string | Uint8Array): Promise<Response> {
    return fetch(`${base}/v1/patients`, { method: 'POST', headers: await authHeaders({ 'content-type': 'application/json' }), body: payload });
  }

  async function search(query: string): Promise<Response> {
    return fetch(`${base}/v1/patients?${query}`, { headers: await authHeaders() });
  }

  async function expectRefused(response: Response, where: { pointer: string } | { field: string }): Promise<void> {
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as Problem;
    expect(problem.code).toBe('validation-error');
    expect(problem.errors).toContainEqual(expect.objectContaining(where));
  }

  /** Nothing was written: the local id is unknown to the service, and so is the CCCD. */
  async function expectNothingWrittenFor(localId: string): Promise<void> {
    const byLocal = await search(new URLSearchParams({ localId }).toString());
    expect(byLocal.status).toBe(200);
    expect(((await byLocal.json()) as { items: unknown[] }).items).toEqual([]);
    const byCccd = await search(new URLSearchParams({ identifier: `cccd|${CCCD}` }).toString());
    expect(((await byCccd.json()) as { items: unknown[] }).items).toEqual([]);
  }

  beforeAll(async () => {
    identity = await startIdentity(issuer, { database: 'identity_hostile' });
    ({ base, service } = identity);
  });

  afterAll(async () => {
    await identity?.stop();
  });

  describe('control characters', () => {
    it.each([
      ['fullName', { fullName: 'Nguyễn\u0000Thị Hồng' }, '#/fullName'],
      ['address line', { address: { provinceCode: '01', line: 'Số 12\u0000 Phố Huế' } }, '#/address/line'],
      ['an escape sequence in the address line', { address: { line: 'Số 12 \u001b[2J' } }, '#/address/line'],
    ])('refuses a NUL or control character in %s with a 422 pointing at it, and writes nothing', async (_what, overrides, pointer) => {
      const localId = `NUL-${runTag}-${pointer.length}`;
      await expectRefused(await postRaw(JSON.stringify(body(localId, overrides))), { pointer });
      await expectNothingWrittenFor(localId);
    });

    it('refuses a NUL in the local id', async () => {
      const localId = `NUL-${runTag}-local`;
      await expectRefused(await postRaw(JSON.stringify(body(`${localId}\u0000`))), { pointer: '#/localId' });
      await expectNothingWrittenFor(localId);
    });

    it('refuses a NUL in ?identifier= and ?localId= naming the parameter', async () => {
      await expectRefused(await search(`identifier=cccd%7C${CCCD}%00`), { field: 'identifier' });
      await expectRefused(await search(`localId=BN%00${runTag}`), { field: 'localId' });
      await expectRefused(await search(`localId=BN${runTag}%0A`), { field: 'localId' });
    });

    it('still accepts a multi-line address (tab, CR and LF are free text there)', async () => {
      const localId = `OK-${runTag}`;
      const line = 'Số 12\r\nngõ 34\tPhố Huế';
      const accepted = body(localId, { address: { provinceCode: '01', line }, identifiers: [{ system: 'cccd', value: ACCEPTED_CCCD }] });
      const response = await postRaw(JSON.stringify(accepted));
      // 200 or 201 (new registration): accepted either way.
      expect(response.ok).toBe(true);
      const found = await search(new URLSearchParams({ localId }).toString());
      expect(((await found.json()) as { items: unknown[] }).items).toHaveLength(1);
    });
  });

  describe('invalid Unicode', () => {
    it('refuses invalid UTF-8 bytes in a JSON body instead of storing replacement characters', async () => {
      const localId = `UTF-${runTag}`;
      const [before, after] = JSON.stringify(body(localId, { fullName: 'Nguy@@n Văn' })).split('@@') as [string, string];
      const bytes = Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(after, 'utf8')]);
      const response = await postRaw(bytes);
      expect(response.status).toBe(422);
      const problem = (await response.json()) as Problem;
      expect(problem.code).toBe('validation-error');
      expect(problem.errors).toContainEqual(expect.objectContaining({ pointer: '#', rule: 'encoding:utf-8' }));
      await expectNothingWrittenFor(localId);
    });

    it('refuses a lone surrogate escape in a name', async () => {
      const localId = `SUR-${runTag}`;
      const json = JSON.stringify(body(localId, { fullName: 'Nguyễn @@ Hồng' })).replace('@@', '\\ud800');
      await expectRefused(await postRaw(json), { pointer: '#/fullName' });
      await expectNothingWrittenFor(localId);
    });
  });

  describe('a CCCD in URL-encoded disguises never reaches the logs', () => {
    const disguises = (): [string, string][] => [
      ['padded with encoded spaces', `identifier=cccd%7C%20${CCCD}%20`],
      ['padded with + for space', `identifier=cccd%7c+${CCCD}+`],
      ['every digit escaped', `identifier=cccd%7C${escapeEach(CCCD)}`],
      ['every digit escaped, lower-case hex, whole value', `identifier=${escapeEach(`cccd|${CCCD}`, true)}`],
      ['escaped once more (double encoding)', `identifier=cccd%257C${escapeEach(CCCD).replace(/%/g, '%25')}`],
      ['as a local id with a padded escape', `localId=%20${CCCD.slice(0, 6)}%3${CCCD.charAt(6)}${CCCD.slice(7)}`],
    ];

    it.each(disguises())('%s', async (_what, query) => {
      const response = await search(query);
      expect(response.status).toBeLessThan(500);
    });

    it('in the path and in a logged header too', async () => {
      const inPath = await fetch(`${base}/v1/patients/${escapeEach(CCCD)}`, { headers: await authHeaders() });
      expect(inPath.status).toBe(400);
      const inHeader = await fetch(`${base}/v1/patients?localId=x`, { headers: await authHeaders({ 'x-purpose-of-use': `%20${CCCD}%20` }) });
      expect(inHeader.status).toBeLessThan(500);
    });

    it('leaves no CCCD in stdout or stderr, decoded or not', async () => {
      // The access log line is written when the response finishes: wait until the last request's is out.
      await expectEventually(() => expect(service?.logs() ?? '').toContain('localId=x'));
      const logs = service?.logs() ?? '';
      expect(logs).not.toContain(CCCD);
      expect(decodedTwice(logs)).not.toContain(CCCD);
      // The requests were logged (redacted), not dropped.
      expect(logs).toContain('[REDACTED]');
    });
  });

  describe('afterwards', () => {
    it('answered none of it with a 500, and every log line serialized', () => {
      const logs = service?.logs() ?? '';
      expect(logs).not.toMatch(/circular|unable to serialize/i);
      expect(logs).not.toContain('"statusCode":500');
      expect(logs).not.toContain('internal-error');
    });
  });
});
