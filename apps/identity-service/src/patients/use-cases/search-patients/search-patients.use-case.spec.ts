import { facilityActor } from '../../../../test/actors';
import { HA_BHYT, HA_CCCD, nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { canonicalIdentifier, isCanonical, type CanonicalIdentifier } from '../../domain/identifiers';
import { type PatientSearch } from './search-patients.use-case';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';
const COMMUNE_STATION = '01001';
const HIV_CLINIC = '01950';

function cccd(value: string): CanonicalIdentifier {
  const parsed = canonicalIdentifier('cccd', value);
  if (!isCanonical(parsed)) throw new Error(`not a CCCD: ${value}`);
  return parsed;
}
const byCccd = (value = HA_CCCD): PatientSearch => ({ by: 'identifier', identifier: cccd(value) });
const byLocalId = (facilityCode: string, localId: string): PatientSearch => ({ by: 'local-id', facilityCode, localId });

describe('SearchPatientsUseCase', () => {
  let kit: PatientKit;
  let id: string;

  /** Hà at Bạch Mai and Thanh Nhàn, and at an HIV clinic whose involvement is sensitive. */
  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    id = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
    await seedPatient(kit, THANH_NHAN, nguyenThiThuHa({ localId: 'TN-77', identifiers: [{ system: 'cccd', value: HA_CCCD }, { system: 'bhyt', value: HA_BHYT }] }));
    await seedPatient(kit, HIV_CLINIC, nguyenThiThuHa({ localId: 'OPC-9' }));
  });

  describe('by identifier', () => {
    it('a facility holding the patient finds it, sees its own link and the value it reported, and the search is audited', async () => {
      const { items } = await kit.search.execute(facilityActor(BACH_MAI), byCccd());

      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ enterprisePatientId: id, links: [{ facilityCode: BACH_MAI, localId: 'BM-0001' }] });
      expect(items[0]?.identifiers).toContainEqual({ system: 'cccd', status: 'active', value: HA_CCCD });
      expect(kit.audit.rows).toMatchObject([{ action: 'patient.search', patientId: id, outcome: 'success', facilityCode: BACH_MAI, detail: { by: 'identifier' } }]);
    });

    it('a facility not holding the patient learns nothing without the cross-reference scope (one not-found row)', async () => {
      const { items } = await kit.search.execute(facilityActor(COMMUNE_STATION), byCccd());

      expect(items).toEqual([]);
      expect(kit.audit.rows).toMatchObject([{ action: 'patient.search', patientId: null, outcome: 'not-found', detail: { by: 'identifier' } }]);
    });

    it('with the cross-reference scope it finds the patient, with the links it may see (sensitive facility hidden)', async () => {
      const { items } = await kit.search.execute(facilityActor(COMMUNE_STATION, { crossRef: true }), byCccd());

      expect(items.map((i) => i.links)).toEqual([
        [
          { facilityCode: BACH_MAI, localId: 'BM-0001' },
          { facilityCode: THANH_NHAN, localId: 'TN-77' },
        ],
      ]);
      expect(items[0]?.identifiers.every((i) => i.value === undefined)).toBe(true);
    });

    it('a patient known only at a sensitive facility is not found by anyone else', async () => {
      const other = '079190000123';
      await seedPatient(kit, HIV_CLINIC, { localId: 'OPC-10', fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1, identifiers: [{ system: 'cccd', value: other }] });

      await expect(kit.search.execute(facilityActor(BACH_MAI, { crossRef: true }), byCccd(other))).resolves.toMatchObject({ items: [] });
      await expect(kit.search.execute(facilityActor(HIV_CLINIC), byCccd(other))).resolves.toMatchObject({ items: [{ links: [{ facilityCode: HIV_CLINIC, localId: 'OPC-10' }] }] });
    });

    it('an unknown identifier is a not-found row', async () => {
      await expect(kit.search.execute(facilityActor(BACH_MAI), byCccd('001187099999'))).resolves.toMatchObject({ items: [] });
      expect(kit.audit.rows).toMatchObject([{ patientId: null, outcome: 'not-found' }]);
    });
  });

  describe('by local id', () => {
    it('finds the facility’s own patient', async () => {
      const { items } = await kit.search.execute(facilityActor(THANH_NHAN), byLocalId(THANH_NHAN, 'TN-77'));
      expect(items.map((i) => i.enterprisePatientId)).toEqual([id]);
      expect(kit.audit.rows).toMatchObject([{ patientId: id, outcome: 'success', detail: { by: 'local-id' } }]);
    });

    it('another facility’s local ids need the cross-reference scope', async () => {
      await expect(kit.search.execute(facilityActor(COMMUNE_STATION), byLocalId(BACH_MAI, 'BM-0001'))).rejects.toMatchObject({
        code: IdentityErrorCode.CrossFacilityForbidden,
      });
      const { items } = await kit.search.execute(facilityActor(COMMUNE_STATION, { crossRef: true }), byLocalId(BACH_MAI, 'BM-0001'));
      expect(items.map((i) => i.enterprisePatientId)).toEqual([id]);
    });

    it('a local id at a sensitive facility is not found by another facility, even with the scope', async () => {
      const { items } = await kit.search.execute(facilityActor(BACH_MAI, { crossRef: true }), byLocalId(HIV_CLINIC, 'OPC-9'));
      expect(items).toEqual([]);
      expect(kit.audit.rows).toMatchObject([{ patientId: null, outcome: 'not-found', detail: { by: 'local-id' } }]);
    });
  });
});
