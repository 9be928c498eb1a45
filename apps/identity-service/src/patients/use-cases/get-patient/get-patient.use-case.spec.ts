import { facilityActor, personActor } from '../../../../test/actors';
import { HA_BHYT, HA_CCCD, nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { Scopes } from '../../../scopes';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';
/** An HIV outpatient clinic: that a patient is known there is itself sensitive. */
const HIV_CLINIC = '01950';

describe('GetPatientUseCase', () => {
  let kit: PatientKit;
  let id: string;

  /** Hà at Bạch Mai (reported her CCCD), Thanh Nhàn (reported her BHYT card) and the HIV clinic. */
  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    id = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
    await seedPatient(kit, THANH_NHAN, nguyenThiThuHa({ localId: 'TN-77', identifiers: [{ system: 'cccd', value: HA_CCCD }, { system: 'bhyt', value: HA_BHYT }] }));
    await seedPatient(kit, HIV_CLINIC, nguyenThiThuHa({ localId: 'OPC-9' }));
  });

  it('a facility sees its own link only, and identifier values only of what it reported', async () => {
    const { view } = await kit.getPatient.execute(facilityActor(THANH_NHAN), id);

    expect(view).toMatchObject({ enterprisePatientId: id, status: 'active', fullName: 'Nguyễn Thị Thu Hà', birthDate: '1987-04-09', sex: 2 });
    expect(view.links).toEqual([{ facilityCode: THANH_NHAN, localId: 'TN-77' }]);
    expect(view.identifiers).toEqual([
      { system: 'cccd', status: 'active' },
      { system: 'bhyt', status: 'active', value: HA_BHYT },
    ]);
  });

  it('with the cross-reference scope a facility sees the other links, never the sensitive facility’s', async () => {
    const { view } = await kit.getPatient.execute(facilityActor(BACH_MAI, { crossRef: true }), id);

    expect(view.links).toEqual([
      { facilityCode: BACH_MAI, localId: 'BM-0001' },
      { facilityCode: THANH_NHAN, localId: 'TN-77' },
    ]);
    expect(view.identifiers).toEqual([
      { system: 'cccd', status: 'active', value: HA_CCCD },
      { system: 'bhyt', status: 'active' },
    ]);
  });

  it('the sensitive facility itself sees its own link', async () => {
    const { view } = await kit.getPatient.execute(facilityActor(HIV_CLINIC), id);
    expect(view.links).toEqual([{ facilityCode: HIV_CLINIC, localId: 'OPC-9' }]);
  });

  it('a person reporting for no facility learns no identifier value', async () => {
    const { view } = await kit.getPatient.execute(personActor('data-steward', [Scopes.crossReference]), id);
    expect(view.identifiers.map((i) => i.value)).toEqual([undefined, undefined]);
    expect(view.links.map((l) => l.facilityCode)).toEqual([BACH_MAI, THANH_NHAN]);
  });

  it('audits the read, with who read it for which facility', async () => {
    const actor = facilityActor(THANH_NHAN);
    await kit.getPatient.execute(actor, id);
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.read', patientId: id, outcome: 'success', actorKind: 'facility', facilityCode: THANH_NHAN, requestId: actor.requestId }]);
  });

  it('an unknown id is not found, and the attempt is audited all the same', async () => {
    const unknown = '01936f3e-0000-7000-8000-000000000000';
    await expect(kit.getPatient.execute(facilityActor(BACH_MAI), unknown)).rejects.toMatchObject({ code: IdentityErrorCode.PatientNotFound });
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.read', patientId: unknown, outcome: 'not-found' }]);
  });

  it('a facility with no link and no cross-reference scope gets the 404 of an unknown id, audited as denied', async () => {
    const stranger = facilityActor('01903');
    await expect(kit.getPatient.execute(stranger, id)).rejects.toMatchObject({ code: IdentityErrorCode.PatientNotFound });
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.read', patientId: id, outcome: 'denied', facilityCode: '01903' }]);
  });

  it('a patient seen only at a sensitive facility is not found by anyone else, not even with the cross-reference scope', async () => {
    const onlyThere = await seedPatient(kit, HIV_CLINIC, nguyenThiThuHa({ localId: 'OPC-10', fullName: 'Lê Văn Tám', birthDate: '1970', sex: 1, identifiers: [] }));
    await expect(kit.getPatient.execute(facilityActor(BACH_MAI, { crossRef: true }), onlyThere)).rejects.toMatchObject({ code: IdentityErrorCode.PatientNotFound });
    await expect(kit.getPatient.execute(personActor('data-steward', [Scopes.crossReference]), onlyThere)).rejects.toMatchObject({ code: IdentityErrorCode.PatientNotFound });
    expect(kit.audit.rows.map((r) => r.outcome)).toEqual(['denied', 'denied']);
    const { view } = await kit.getPatient.execute(facilityActor(HIV_CLINIC), onlyThere);
    expect(view.links).toEqual([{ facilityCode: HIV_CLINIC, localId: 'OPC-10' }]);
  });

  it('a facility sees its own source record beside the shared record, and nobody else’s', async () => {
    const { view } = await kit.getPatient.execute(facilityActor(THANH_NHAN, { crossRef: true }), id);
    expect(view.sources).toEqual([expect.objectContaining({ localId: 'TN-77', fullName: 'Nguyễn Thị Thu Hà', cccdVerified: true, disputedFields: [] })]);
  });

  it('a merged id answers with its survivor and says where it was redirected from', async () => {
    // A commune station's typo without a card: registered as a new patient pending review.
    const duplicate = await seedPatient(kit, '01001', nguyenThiThuHa({ localId: 'TYT-5', fullName: 'Nguyễn Thị Thu Haf', identifiers: [] }));
    await kit.merge.execute({ actor: personActor('data-steward'), survivorId: id, mergedId: duplicate });
    kit.audit.rows.length = 0;

    const { view } = await kit.getPatient.execute(facilityActor('01001'), duplicate);

    expect(view).toMatchObject({ enterprisePatientId: id, redirectedFrom: duplicate });
    expect(view.links).toEqual([{ facilityCode: '01001', localId: 'TYT-5' }]);
    expect(kit.audit.rows).toMatchObject([{ patientId: id, outcome: 'success', detail: { redirectedFrom: duplicate } }]);
  });
});
