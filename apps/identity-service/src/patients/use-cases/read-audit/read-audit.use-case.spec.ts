import { facilityActor, personActor, serviceActor } from '../../../../test/actors';
import { nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { Scopes } from '../../../scopes';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';

describe('ReadAuditUseCase', () => {
  let kit: PatientKit;
  let id: string;
  // The trail discloses where the patient was seen: an auditor without a link needs the cross-reference scope.
  const auditor = personActor('data-steward', [Scopes.auditRead, Scopes.crossReference]);

  /** Three reads of Hà: Bạch Mai, then Thanh Nhàn twice (once through lab-results-service). */
  beforeEach(async () => {
    kit = patientKit();
    id = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
    await kit.getPatient.execute(facilityActor(BACH_MAI), id);
    await kit.getPatient.execute(facilityActor(THANH_NHAN, { crossRef: true }), id);
    await kit.getPatient.execute({ ...serviceActor('lab-results-service', THANH_NHAN), scopes: [Scopes.patientRead, Scopes.crossReference] }, id);
  });

  it('pages the patient’s trail newest first, with a cursor until the last page', async () => {
    const first = await kit.readAudit.execute(auditor, id, { limit: 2 });
    expect(first.items.map((r) => [r.actorKind, r.facilityCode])).toEqual([
      ['service', THANH_NHAN],
      ['facility', THANH_NHAN],
    ]);
    expect(first.nextCursor).toBe(first.items[1]?.id);

    const last = await kit.readAudit.execute(auditor, id, { cursor: first.nextCursor ?? undefined, limit: 2 });
    expect(last.items.map((r) => [r.actorKind, r.facilityCode])).toEqual([['facility', BACH_MAI]]);
    expect(last.nextCursor).toBeNull();
  });

  it('shows who acted for whom, with an ISO time and the request id', async () => {
    const { items } = await kit.readAudit.execute(auditor, id, { limit: 1 });
    expect(items[0]).toMatchObject({
      action: 'patient.read',
      outcome: 'success',
      actorKind: 'service',
      actorSubject: 'svc-lab-results-service',
      actingService: 'lab-results-service',
      facilityCode: THANH_NHAN,
      purposeOfUse: 'treatment',
      requestId: expect.any(String),
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('reading the trail is itself audited, and shows up in the next read', async () => {
    await kit.readAudit.execute(auditor, id, { limit: 2 });

    const { items } = await kit.readAudit.execute(auditor, id, { limit: 1 });
    expect(items).toMatchObject([{ action: 'patient.audit.read', actorKind: 'person', facilityCode: null, detail: { count: 2 } }]);
  });

  it('another patient’s trail is not mixed in', async () => {
    const other = await seedPatient(kit, THANH_NHAN, { localId: 'TN-9', fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1 });
    await kit.getPatient.execute(facilityActor(THANH_NHAN), other);

    const { items } = await kit.readAudit.execute(auditor, other, { limit: 10 });
    expect(items.map((r) => r.action)).toEqual(['patient.read']);
  });

  describe('the disclosure rule of every read path', () => {
    const HIV_CLINIC = '01950';

    it('a caller that may not see the patient gets the 404 of an unknown id, audited as denied', async () => {
      const stranger = facilityActor('01903', { scopes: [Scopes.auditRead] });
      await expect(kit.readAudit.execute(stranger, id, { limit: 10 })).rejects.toMatchObject({ code: IdentityErrorCode.PatientNotFound });
      await expect(kit.readAudit.execute(personActor('data-steward', [Scopes.auditRead]), id, { limit: 10 })).rejects.toMatchObject({
        code: IdentityErrorCode.PatientNotFound,
      });
      expect(kit.audit.rows.slice(-2)).toMatchObject([
        { action: 'patient.audit.read', patientId: id, outcome: 'denied' },
        { action: 'patient.audit.read', patientId: id, outcome: 'denied' },
      ]);
    });

    it('never shows entries recorded by or for a sensitive facility to anyone but that facility', async () => {
      kit = patientKit({ sensitive: [HIV_CLINIC] });
      const ha = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
      await kit.register.execute({ actor: facilityActor(HIV_CLINIC), body: nguyenThiThuHa({ localId: 'OPC-9' }) });
      await kit.getPatient.execute(facilityActor(HIV_CLINIC), ha);

      const bachMai = await kit.readAudit.execute(facilityActor(BACH_MAI, { scopes: [Scopes.auditRead] }), ha, { limit: 10 });
      expect(bachMai.items.map((r) => r.facilityCode)).not.toContain(HIV_CLINIC);
      const steward = await kit.readAudit.execute(auditor, ha, { limit: 10 });
      expect(steward.items.map((r) => r.facilityCode)).not.toContain(HIV_CLINIC);

      const clinic = await kit.readAudit.execute(facilityActor(HIV_CLINIC, { scopes: [Scopes.auditRead] }), ha, { limit: 10 });
      expect(clinic.items.filter((r) => r.facilityCode === HIV_CLINIC).map((r) => r.action)).toEqual(['patient.read', 'patient.register']);
    });
  });
});
