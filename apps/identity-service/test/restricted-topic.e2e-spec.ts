import { Topics } from '@lienthong/contracts';
import { collectMessages, createTestIssuer, expectEventually, facilityHeaders, uniqueName, type CollectedMessage } from '@lienthong/testing';
import { postPatient, registrationOf, startIdentity, syntheticAdults, type IdentityProcess, type SyntheticAdult } from './identity-process';

/**
 * Links to sensitive facilities never reach `identity.patient.v1`, which every consumer reads: the
 * BUILT identity-service, on a fresh database with the seeded registry, registers one person at an
 * ordinary hospital and at the seeded HIV clinic, another at a district hospital and at the seeded
 * mental hospital, then a steward merges and unmerges them. Every message of this run on both topics
 * is read back: the sensitive facilities and their local ids are on the restricted topic only.
 */
/** Bệnh viện Thanh Nhàn and TTYT khu vực Sóc Sơn: ordinary facilities in the seed. */
const PROVINCIAL = '01902';
const DISTRICT = '01904';
/** Bệnh viện Tâm thần Hà Nội and the Đống Đa HIV/AIDS outpatient clinic: `sensitive` in the seed. */
const MENTAL_HOSPITAL = '01906';
const HIV_CLINIC = '01907';
const SENSITIVE = [MENTAL_HOSPITAL, HIV_CLINIC];

const PUBLIC_TOPIC = Topics.identityPatientV1.name;
const RESTRICTED_TOPIC = Topics.identityPatientRestrictedV1.name;

interface Received {
  readonly topic: string;
  readonly key: string;
  readonly type: string;
  readonly text: string;
  readonly data: unknown;
}

function received(m: CollectedMessage): Received {
  const header = m.message.headers?.['ce_type'];
  const text = m.message.value?.toString('utf8') ?? '';
  return { topic: m.topic, key: m.message.key?.toString('utf8') ?? '', type: (Array.isArray(header) ? header[0] : header)?.toString() ?? '', text, data: JSON.parse(text) as unknown };
}

/** Every `facilityCode` anywhere in a payload (top level and in moved/restored links). */
function facilityCodes(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(facilityCodes);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'facilityCode' && typeof v === 'string' ? [v] : facilityCodes(v)));
}

describe('identity-service (built): links to sensitive facilities go on the restricted topic only', () => {
  const issuer = createTestIssuer();
  const [ha, binh] = syntheticAdults(2) as [SyntheticAdult, SyntheticAdult];
  const run = uniqueName('rt').replace(/[^a-z0-9]/gi, '').toUpperCase();
  const local = {
    provincial: `TN-${run}`,
    hiv: `HIV-${run}`,
    district: `SS-${run}`,
    mental: `TT-${run}`,
  };

  let identity: IdentityProcess | undefined;
  let collector: Awaited<ReturnType<typeof collectMessages>> | undefined;
  let base = '';

  /** A data steward (a person, no facility); `withBody` for the POSTs that send JSON (an empty JSON body is a 400). */
  const stewardHeaders = async (withBody: boolean) => ({
    authorization: `Bearer ${await issuer.sign({ role: 'data-steward', scope: 'lienthong/mpi.steward', sub: `steward-${run}` })}`,
    ...(withBody ? { 'content-type': 'application/json' } : {}),
  });

  async function register(facility: string, person: SyntheticAdult, localId: string, patch: Record<string, unknown> = {}): Promise<{ enterprisePatientId: string; outcome: string }> {
    const body = { ...registrationOf(person, localId), address: { provinceCode: person.provinceCode, communeCode: person.communeCode }, ...patch };
    const response = await postPatient(base, await facilityHeaders(issuer, facility, 'system/Patient.cu'), body);
    expect([200, 201]).toContain(response.status);
    return (await response.json()) as { enterprisePatientId: string; outcome: string };
  }

  /** This run's messages: those keyed by one of its patients (every identity event is keyed by a patient id). */
  const messagesOf = (topic: string, patients: readonly string[]) =>
    (collector?.messages ?? []).filter((m) => m.topic === topic).map(received).filter((m) => patients.includes(m.key));

  beforeAll(async () => {
    identity = await startIdentity(issuer, { database: 'identity_rt_e2e' });
    base = identity.base;
    // After the service started: it provisions the restricted topic (broker auto-create is off). A
    // fresh group reads both topics from the beginning, so nothing published before is missed.
    collector = await collectMessages([PUBLIC_TOPIC, RESTRICTED_TOPIC], uniqueName('identity-rt-reader'));
  });

  afterAll(async () => {
    await collector?.stop();
    await identity?.stop();
  });

  it('registers, updates, merges and unmerges: the sensitive facilities and their local ids appear on the restricted topic only', async () => {
    // Hà: Thanh Nhàn first, then the HIV clinic (linked by CCCD), which later corrects her phone.
    const first = await register(PROVINCIAL, ha, local.provincial);
    const haId = first.enterprisePatientId;
    expect(await register(HIV_CLINIC, ha, local.hiv)).toEqual({ enterprisePatientId: haId, outcome: 'linked', warnings: [] });
    expect(await register(HIV_CLINIC, ha, local.hiv, { phone: '0912345678' })).toMatchObject({ enterprisePatientId: haId, outcome: 'updated' });
    // Bình: the mental hospital first (a patient the public topic never hears of), then Sóc Sơn.
    const binhId = (await register(MENTAL_HOSPITAL, binh, local.mental)).enterprisePatientId;
    expect(await register(DISTRICT, binh, local.district)).toMatchObject({ enterprisePatientId: binhId, outcome: 'linked' });

    // A steward merges Bình into Hà (wrongly), then undoes it: both carry a sensitive link.
    const merged = await fetch(`${base}/v1/patients/${haId}/merge`, { method: 'POST', headers: await stewardHeaders(true), body: JSON.stringify({ mergedId: binhId }) });
    expect(merged.status).toBeLessThan(300);
    const { mergeId } = (await merged.json()) as { mergeId: string };
    const unmerged = await fetch(`${base}/v1/merges/${mergeId}/unmerge`, { method: 'POST', headers: await stewardHeaders(false) });
    expect(unmerged.status).toBeLessThan(300);

    const patients = [haId, binhId];
    // The unmerge is the last event of each topic for Hà (per-key order): once it is in, so is everything
    // before it keyed by Hà. Bình's own events are on another partition: wait for his last one too.
    const restricted = await expectEventually(
      () => {
        const all = messagesOf(RESTRICTED_TOPIC, patients);
        expect(all.map((m) => m.type)).toContain('vn.lienthong.identity.sensitive-link.unmerged');
        expect(all.filter((m) => m.key === binhId).map((m) => m.type)).toContain('vn.lienthong.identity.sensitive-link.registered');
        return all;
      },
      { timeoutMs: 30_000 },
    );
    const open = await expectEventually(
      () => {
        const all = messagesOf(PUBLIC_TOPIC, patients);
        expect(all.map((m) => m.type)).toContain('vn.lienthong.identity.patient.unmerged');
        expect(all.filter((m) => m.key === binhId).map((m) => m.type)).toContain('vn.lienthong.identity.patient.registered');
        return all;
      },
      { timeoutMs: 30_000 },
    );

    // What the exchange receives: every sensitive link, with its local id, and what happened to it.
    expect(restricted.map((m) => [m.type, m.data])).toEqual(
      expect.arrayContaining([
        ['vn.lienthong.identity.sensitive-link.linked', { enterprisePatientId: haId, facilityCode: HIV_CLINIC, localId: local.hiv, method: 'cccd', score: null }],
        ['vn.lienthong.identity.sensitive-link.registered', { enterprisePatientId: haId, facilityCode: HIV_CLINIC, localId: local.hiv, outcome: 'linked' }],
        ['vn.lienthong.identity.sensitive-link.updated', { enterprisePatientId: haId, facilityCode: HIV_CLINIC, localId: local.hiv, changedFields: ['phone'] }],
        ['vn.lienthong.identity.sensitive-link.registered', { enterprisePatientId: binhId, facilityCode: MENTAL_HOSPITAL, localId: local.mental, outcome: 'created' }],
        ['vn.lienthong.identity.sensitive-link.merged', { mergeId, survivorId: haId, mergedId: binhId, movedLinks: [{ facilityCode: MENTAL_HOSPITAL, localId: local.mental }] }],
        ['vn.lienthong.identity.sensitive-link.unmerged', { mergeId, survivorId: haId, restoredId: binhId, restoredLinks: [{ facilityCode: MENTAL_HOSPITAL, localId: local.mental }] }],
      ]),
    );
    expect(restricted.filter((m) => !patients.includes(m.key))).toEqual([]);

    // What every other consumer receives: the ordinary links, and not a trace of the sensitive ones.
    expect(open.map((m) => [m.type, m.data])).toEqual(
      expect.arrayContaining([
        ['vn.lienthong.identity.patient.registered', expect.objectContaining({ enterprisePatientId: haId, facilityCode: PROVINCIAL, localId: local.provincial })],
        ['vn.lienthong.identity.patient.linked', expect.objectContaining({ enterprisePatientId: binhId, facilityCode: DISTRICT, localId: local.district })],
        ['vn.lienthong.identity.patient.merged', { mergeId, survivorId: haId, mergedId: binhId, movedLinks: [{ facilityCode: DISTRICT, localId: local.district }] }],
        ['vn.lienthong.identity.patient.unmerged', { mergeId, survivorId: haId, restoredId: binhId, restoredLinks: [{ facilityCode: DISTRICT, localId: local.district }] }],
      ]),
    );
    for (const m of open) {
      expect(facilityCodes(m.data).filter((code) => SENSITIVE.includes(code))).toEqual([]);
      expect(m.text).not.toContain(local.hiv);
      expect(m.text).not.toContain(local.mental);
    }
    // And the restricted topic is only about them: an ordinary link is not duplicated there.
    for (const m of restricted) expect(facilityCodes(m.data).every((code) => SENSITIVE.includes(code))).toBe(true);
  });
});
