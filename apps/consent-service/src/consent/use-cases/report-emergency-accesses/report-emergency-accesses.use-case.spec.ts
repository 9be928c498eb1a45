import { type Actor } from '@lienthong/platform';
import { ConsentErrorCode } from '../../domain/consent-error';
import { emergencyKit } from '../../testing/emergency-fakes';
import { MAX_REPORTED_ACCESSES } from './report-emergency-accesses.use-case';

const HCM_A = '79001';
const HCM_B = '79002';
const HANOI = '01901';
const [P1, P2, P3] = ['0190a1b2-0000-7000-8000-000000000001', '0190a1b2-0000-7000-8000-000000000002', '0190a1b2-0000-7000-8000-000000000003'];

const facility = (code: string): Actor => ({ kind: 'facility', facilityCode: code, subject: `his-${code}`, scopes: [], purposeOfUse: 'treatment' });
const person = (role: 'ministry-analyst' | 'provincial-analyst' | 'data-steward', province?: string): Actor => ({
  kind: 'person',
  role,
  subject: `person-${role}`,
  ...(province !== undefined ? { province } : {}),
  scopes: [],
  purposeOfUse: 'public-health',
});

const MARCH = { from: new Date('2026-03-01T00:00:00+07:00'), to: new Date('2026-04-01T00:00:00+07:00') };

function kit() {
  const { accesses, audit, report } = emergencyKit({ facilities: { [HCM_A]: '79', [HCM_B]: '79', [HANOI]: '01' } });
  let n = 0;
  const grant = (facilityCode: string, enterprisePatientId: string, grantedAt: string, reason = 'Cấp cứu: bệnh nhân bất tỉnh, cần tiền sử') => {
    n += 1;
    const at = new Date(grantedAt);
    accesses.rows.push({ id: `0190a1b2-0000-7000-9000-${String(n).padStart(12, '0')}`, enterprisePatientId, facilityCode, clinicianId: `BS-${n}`, reason, grantedAt: at, expiresAt: new Date(at.getTime() + 3_600_000), actorSubject: `his-${facilityCode}` });
  };
  // March: Chợ Rẫy twice for P1 and once for P2; another HCM hospital once; Bạch Mai once. February and April: outside.
  grant(HCM_A, P1, '2026-03-02T08:00:00+07:00', 'Ngừng tim ngoại viện, cần danh sách thuốc');
  grant(HCM_A, P2, '2026-03-05T08:00:00+07:00');
  grant(HCM_A, P1, '2026-03-20T08:00:00+07:00');
  grant(HCM_B, P3, '2026-03-10T08:00:00+07:00');
  grant(HANOI, P2, '2026-03-11T08:00:00+07:00');
  grant(HCM_A, P3, '2026-02-28T23:59:59+07:00');
  grant(HCM_A, P3, '2026-04-01T00:00:00+07:00');
  return { accesses, audit, report };
}

describe('ReportEmergencyAccessesUseCase', () => {
  it('gives a facility its own accesses of the period: count, distinct patients, and each with clinician and reason', async () => {
    const { report } = kit();
    const answer = await report.execute({ actor: facility(HCM_A), ...MARCH });

    expect(answer).toMatchObject({ from: '2026-02-28T17:00:00.000Z', to: '2026-03-31T17:00:00.000Z', truncated: false });
    expect(answer.facilities).toHaveLength(1);
    expect(answer.facilities[0]).toMatchObject({ facilityCode: HCM_A, count: 3, distinctPatients: 2 });
    expect(answer.facilities[0]?.accesses.map((a) => [a.enterprisePatientId, a.grantedAt])).toEqual([
      [P1, '2026-03-02T01:00:00.000Z'],
      [P2, '2026-03-05T01:00:00.000Z'],
      [P1, '2026-03-20T01:00:00.000Z'],
    ]);
    expect(answer.facilities[0]?.accesses[0]).toEqual({
      id: expect.any(String),
      enterprisePatientId: P1,
      clinicianId: 'BS-1',
      reason: 'Ngừng tim ngoại viện, cần danh sách thuốc',
      grantedAt: '2026-03-02T01:00:00.000Z',
      expiresAt: '2026-03-02T02:00:00.000Z',
    });
  });

  it('refuses a facility asking about another facility (audited as denied)', async () => {
    const { report, audit } = kit();
    await expect(report.execute({ actor: facility(HCM_A), ...MARCH, facilityCode: HANOI })).rejects.toMatchObject({ code: ConsentErrorCode.Forbidden });
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'emergency-access.report', patientId: null, outcome: 'denied' })]);
  });

  it('gives the ministry and a data steward every facility, or the one they name', async () => {
    const { report } = kit();
    for (const actor of [person('ministry-analyst'), person('data-steward')]) {
      const all = await report.execute({ actor, ...MARCH });
      expect(all.facilities.map((f) => [f.facilityCode, f.count, f.distinctPatients])).toEqual([
        [HANOI, 1, 1],
        [HCM_A, 3, 2],
        [HCM_B, 1, 1],
      ]);
      const one = await report.execute({ actor, ...MARCH, facilityCode: HANOI });
      expect(one.facilities.map((f) => f.facilityCode)).toEqual([HANOI]);
    }
  });

  it('gives a provincial analyst the facilities of their province only, and refuses a facility elsewhere', async () => {
    const { report } = kit();
    const hcm = person('provincial-analyst', '79');
    expect((await report.execute({ actor: hcm, ...MARCH })).facilities.map((f) => f.facilityCode)).toEqual([HCM_A, HCM_B]);
    expect((await report.execute({ actor: hcm, ...MARCH, facilityCode: HCM_B })).facilities.map((f) => f.facilityCode)).toEqual([HCM_B]);
    await expect(report.execute({ actor: hcm, ...MARCH, facilityCode: HANOI })).rejects.toMatchObject({ code: ConsentErrorCode.Forbidden });
    await expect(report.execute({ actor: hcm, ...MARCH, facilityCode: '99999' })).rejects.toMatchObject({ code: ConsentErrorCode.Forbidden });
  });

  it('counts accesses granted from `from` up to, not including, `to`', async () => {
    const { report } = kit();
    const edges = await report.execute({ actor: facility(HCM_A), from: new Date('2026-02-28T23:59:59+07:00'), to: new Date('2026-04-01T00:00:00+07:00') });
    expect(edges.facilities[0]?.count).toBe(4);
  });

  it('audits the report once per patient it names, without the reasons; an empty report is audited too', async () => {
    const { report, audit } = kit();
    await report.execute({ actor: facility(HCM_A), ...MARCH });
    expect(audit.rows.map((r) => [r.action, r.patientId, r.outcome, r.detail?.['accesses']])).toEqual([
      ['emergency-access.report', P1, 'ok', 2],
      ['emergency-access.report', P2, 'ok', 1],
    ]);
    expect(JSON.stringify(audit.rows)).not.toMatch(/Ngừng tim|Cấp cứu/);

    audit.rows = [];
    const empty = await report.execute({ actor: facility('79777'), ...MARCH });
    expect(empty.facilities).toEqual([]);
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'emergency-access.report', patientId: null, outcome: 'ok' })]);
  });

  it('lists at most MAX_REPORTED_ACCESSES accesses and says so, while the counts stay complete', async () => {
    const { report, accesses } = kit();
    const at = new Date('2026-03-15T00:00:00Z');
    for (let i = 0; i < MAX_REPORTED_ACCESSES; i++) {
      accesses.rows.push({ id: `x-${i}`, enterprisePatientId: P2, facilityCode: HCM_B, clinicianId: 'BS-9', reason: 'Cấp cứu hàng loạt', grantedAt: at, expiresAt: at, actorSubject: 'his' });
    }
    const answer = await report.execute({ actor: person('ministry-analyst'), ...MARCH });
    expect(answer.truncated).toBe(true);
    expect(answer.facilities.map((f) => [f.facilityCode, f.count, f.accesses.length])).toEqual([
      [HANOI, 1, 1],
      [HCM_A, 3, 3],
      [HCM_B, MAX_REPORTED_ACCESSES + 1, MAX_REPORTED_ACCESSES - 4],
    ]);
  });

  it('answers a service for the facility it acts for, and refuses one acting for none', async () => {
    const { report } = kit();
    const forHanoi: Actor = { kind: 'service', service: 'records-service', subject: 'svc-records', actingForFacility: HANOI, scopes: [], purposeOfUse: 'treatment' };
    expect((await report.execute({ actor: forHanoi, ...MARCH })).facilities.map((f) => f.facilityCode)).toEqual([HANOI]);
    const own: Actor = { kind: 'service', service: 'records-service', subject: 'svc-records', scopes: [], purposeOfUse: 'treatment' };
    await expect(report.execute({ actor: own, ...MARCH })).rejects.toMatchObject({ code: ConsentErrorCode.FacilityRequired });
  });
});
