import { facilityActor } from '../../../../test/actors';
import { HA_CCCD, nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { canonicalIdentifier, isCanonical } from '../../domain/identifiers';
import { type PatientSearch } from '../search-patients/search-patients.use-case';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';
const HIV_CLINIC = '01950';

const identifier = canonicalIdentifier('cccd', HA_CCCD);
if (!isCanonical(identifier)) throw new Error('test CCCD must be valid');
const byCccd: PatientSearch = { by: 'identifier', identifier };

describe('CrossReferenceUseCase (PIXm)', () => {
  let kit: PatientKit;
  let id: string;

  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    id = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
    await seedPatient(kit, THANH_NHAN, nguyenThiThuHa({ localId: 'TN-77' }));
    await seedPatient(kit, HIV_CLINIC, nguyenThiThuHa({ localId: 'OPC-9' }));
  });

  it('needs the cross-reference scope, and refuses before reading anything', async () => {
    await expect(kit.crossReference.execute(facilityActor(BACH_MAI), byCccd)).rejects.toMatchObject({ code: IdentityErrorCode.CrossFacilityForbidden });
    expect(kit.uow.committed).toEqual([]);
  });

  it('answers each facility’s local id for the patient, the sensitive facility left out', async () => {
    await expect(kit.crossReference.execute(facilityActor(BACH_MAI, { crossRef: true }), byCccd)).resolves.toEqual([
      {
        enterprisePatientId: id,
        links: [
          { facilityCode: BACH_MAI, localId: 'BM-0001' },
          { facilityCode: THANH_NHAN, localId: 'TN-77' },
        ],
      },
    ]);
  });

  it('narrows to the target facility, from a local id as the source', async () => {
    const answer = await kit.crossReference.execute(facilityActor(BACH_MAI, { crossRef: true }), { by: 'local-id', facilityCode: BACH_MAI, localId: 'BM-0001' }, THANH_NHAN);
    expect(answer).toEqual([{ enterprisePatientId: id, links: [{ facilityCode: THANH_NHAN, localId: 'TN-77' }] }]);
  });

  it('is audited as the search it runs', async () => {
    await kit.crossReference.execute(facilityActor(BACH_MAI, { crossRef: true }), byCccd);
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.search', patientId: id, outcome: 'success', facilityCode: BACH_MAI }]);
  });
});
