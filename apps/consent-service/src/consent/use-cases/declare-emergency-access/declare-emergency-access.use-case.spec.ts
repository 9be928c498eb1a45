import { type Actor } from '@lienthong/platform';
import { ConsentErrorCode } from '../../domain/consent-error';
import { decide, type ConsentState, type FacilityProfile } from '../../domain/decide';
import { changedPatients } from '../../testing/consent-fakes';
import { emergencyKit } from '../../testing/emergency-fakes';
import { type DeclareEmergencyAccessCommand } from './declare-emergency-access.use-case';

const PATIENT = '0190a1b2-0000-7000-8000-000000000001';
const STRANGER = '0190a1b2-0000-7000-8000-000000000099';
const CHO_RAY = '79001';
const REASON = 'Bệnh nhân hôn mê sau tai nạn giao thông, cần tiền sử dị ứng thuốc';

const choRay: Actor = { kind: 'facility', facilityCode: CHO_RAY, subject: 'his-79001', scopes: [], purposeOfUse: 'emergency' };

/** Configured as the service defaults: 60 minutes unless named, 240 at most. */
const kit = () => emergencyKit({ patients: [PATIENT] });

const command = (patch: Partial<DeclareEmergencyAccessCommand> = {}): DeclareEmergencyAccessCommand => ({
  actor: choRay,
  enterprisePatientId: PATIENT,
  clinicianId: 'BS-0042',
  reason: REASON,
  ...patch,
});

describe('DeclareEmergencyAccessUseCase', () => {
  it('grants the declaring facility access for the default period, stores the reason and publishes the grant without it', async () => {
    const k = kit();
    const before = Date.now();
    const granted = await k.declare.execute(command());

    expect(granted.facilityCode).toBe(CHO_RAY);
    const grantedAt = Date.parse(granted.grantedAt);
    expect(grantedAt).toBeGreaterThanOrEqual(before);
    expect(Date.parse(granted.expiresAt) - grantedAt).toBe(60 * 60_000);
    expect(k.accesses.rows).toEqual([
      expect.objectContaining({ id: granted.id, enterprisePatientId: PATIENT, facilityCode: CHO_RAY, clinicianId: 'BS-0042', reason: REASON, actorSubject: 'his-79001' }),
    ]);
    const events = k.uow.events();
    expect(events).toEqual([
      {
        topic: 'consent.v1',
        key: PATIENT,
        type: 'vn.lienthong.consent.emergency-access.granted',
        data: { grantId: granted.id, enterprisePatientId: PATIENT, facilityCode: CHO_RAY, clinicianId: 'BS-0042', grantedAt: granted.grantedAt, expiresAt: granted.expiresAt },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('hôn mê');
  });

  it('audits the declaration (who, for whom, until when) without the reason, and tells every replica', async () => {
    const k = kit();
    const granted = await k.declare.execute(command());

    expect(k.audit.rows).toEqual([
      expect.objectContaining({ action: 'emergency-access.declare', patientId: PATIENT, outcome: 'ok', actor: expect.objectContaining({ kind: 'facility', facilityCode: CHO_RAY, subject: 'his-79001' }), detail: expect.objectContaining({ emergencyAccessId: granted.id }) }),
    ]);
    expect(JSON.stringify(k.audit.rows)).not.toContain('hôn mê');
    expect(changedPatients(k.uow)).toEqual([PATIENT]);
    // The cache is dropped after the grant committed, before the answer leaves.
    expect(k.cache.invalidated).toEqual([[PATIENT]]);
    expect(k.cache.commitsSeen).toEqual([1]);
  });

  it('lets the very next emergency decision permit ordinary data for that facility only, until the access expires', async () => {
    const k = kit();
    const granted = await k.declare.execute(command({ durationMinutes: 30 }));
    const state: ConsentState = {
      enterprisePatientId: PATIENT,
      known: true,
      careFacilities: [],
      versions: [],
      emergencyAccesses: k.accesses.rows.map((a) => ({ id: a.id, facilityCode: a.facilityCode, grantedAt: a.grantedAt.getTime(), expiresAt: a.expiresAt.getTime() })),
    };
    const profile = (code: string): FacilityProfile => ({ code, level: 'specialised', provinceCode: '79' });
    const ask = (facilityCode: string, at: number, category: 'lab' | 'hiv' = 'lab') =>
      decide(state, { facility: profile(facilityCode), facilityCode, category, purpose: 'emergency', at }, [
        { version: 'test', effectiveFrom: 0, decisions: { treatment: 'deny', emergency: 'deny', referral: 'deny', 'public-health': 'deny', 'research-deidentified': 'deny' } },
      ]);
    const grantedAt = Date.parse(granted.grantedAt);

    expect(ask(CHO_RAY, grantedAt + 1)).toMatchObject({ decision: 'permit', reason: 'emergency-access', emergencyAccessId: granted.id });
    expect(ask('79002', grantedAt + 1)).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
    expect(ask(CHO_RAY, grantedAt + 1, 'hiv')).toMatchObject({ decision: 'deny' });
    expect(ask(CHO_RAY, Date.parse(granted.expiresAt))).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
  });

  it('takes the period the clinician names, up to the configured maximum; longer is a 422 naming durationMinutes, nothing written', async () => {
    const k = kit();
    const granted = await k.declare.execute(command({ durationMinutes: 240 }));
    expect(Date.parse(granted.expiresAt) - Date.parse(granted.grantedAt)).toBe(240 * 60_000);

    await expect(k.declare.execute(command({ durationMinutes: 241 }))).rejects.toMatchObject({
      code: ConsentErrorCode.Validation,
      violations: [{ pointer: '#/durationMinutes', rule: 'max' }],
    });
    expect(k.accesses.rows).toHaveLength(1);
    expect(k.uow.events()).toHaveLength(1);
    expect(k.audit.rows).toHaveLength(1);
  });

  it('refuses a patient identity-service never announced with a 422 at #/enterprisePatientId, leaving nothing behind', async () => {
    const k = kit();
    await expect(k.declare.execute(command({ enterprisePatientId: STRANGER }))).rejects.toMatchObject({
      code: ConsentErrorCode.UnknownPatient,
      violations: [{ pointer: '#/enterprisePatientId' }],
    });
    expect(k.accesses.rows).toEqual([]);
    expect(k.audit.rows).toEqual([]);
    expect(k.uow.events()).toEqual([]);
    expect(changedPatients(k.uow)).toEqual([]);
    expect(k.cache.invalidated).toEqual([]);
  });

  it('grants a patient merged away as its survivor, where decisions about either id look', async () => {
    const k = emergencyKit({ patients: [PATIENT, STRANGER], mergedInto: { [STRANGER]: PATIENT } });
    const granted = await k.declare.execute(command({ enterprisePatientId: STRANGER }));

    expect(k.accesses.rows.map((a) => a.enterprisePatientId)).toEqual([PATIENT]);
    expect(k.uow.events()[0]).toMatchObject({ key: PATIENT, data: { grantId: granted.id, enterprisePatientId: PATIENT } });
    expect(k.audit.rows[0]).toMatchObject({ patientId: PATIENT, detail: { requestedFor: STRANGER } });
    expect(changedPatients(k.uow)).toEqual([PATIENT]);
    expect(k.cache.invalidated).toEqual([[PATIENT]]);
  });

  it('is declared by a facility: a service acting for one declares as it; a person is refused', async () => {
    const k = kit();
    const lab: Actor = { kind: 'service', service: 'records-service', subject: 'svc-records', actingForFacility: '79003', scopes: [], purposeOfUse: 'emergency' };
    expect(await k.declare.execute(command({ actor: lab }))).toMatchObject({ facilityCode: '79003' });

    const steward: Actor = { kind: 'person', role: 'data-steward', subject: 'steward-1', scopes: [], purposeOfUse: 'emergency' };
    await expect(k.declare.execute(command({ actor: steward }))).rejects.toMatchObject({ code: ConsentErrorCode.FacilityRequired });
    expect(k.accesses.rows.map((a) => a.facilityCode)).toEqual(['79003']);
  });
});
