import { PatientUnmergedV1, SensitiveLinksUnmergedV1, Topics } from '@lienthong/contracts';
import { personActor } from '../../../../test/actors';
import {
  BACH_MAI,
  COMMUNE_STATION,
  HIV_CLINIC,
  nguyenThiThuHa,
  patientKit,
  seedDuplicatePair,
  seedPatient,
  seedSensitivePatient,
  type PatientKit,
} from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { Scopes } from '../../../scopes';

describe('UnmergePatientsUseCase', () => {
  let kit: PatientKit;
  let survivor: string;
  let duplicate: string;
  let mergeId: string;
  const steward = personActor('data-steward', [Scopes.steward]);

  /** A steward merged Hà's commune-station record into her Bạch Mai record, wrongly as it turns out. */
  beforeEach(async () => {
    kit = patientKit();
    ({ survivor, duplicate } = await seedDuplicatePair(kit));
    ({ mergeId } = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate }));
    kit.uow.committed.length = 0;
    kit.audit.rows.length = 0;
  });

  it('gives the restored patient back exactly the links and identifiers that moved', async () => {
    const result = await kit.unmerge.execute(steward, mergeId);

    expect(result).toEqual({ mergeId, survivorId: survivor, restoredId: duplicate, restoredLinks: [{ facilityCode: COMMUNE_STATION, localId: 'TYT-5' }] });
    expect(kit.patients.patients.get(duplicate)).toMatchObject({ status: 'active', mergedInto: null });
    expect(kit.patients.linksOfNow(duplicate).map((l) => l.localId)).toEqual(['TYT-5']);
    expect(kit.patients.linksOfNow(survivor).map((l) => l.localId)).toEqual(['BM-0001']);
    expect(kit.patients.identifiersOfNow([duplicate]).map((i) => i.system)).toEqual(['cmnd']);
    expect(kit.patients.identifiersOfNow([survivor]).map((i) => i.system)).toEqual(['cccd']);
    expect(kit.merges.merges.get(mergeId)).toMatchObject({ undoneAt: expect.any(Date), undoneBy: steward.subject });
  });

  it('publishes one unmerged event keyed by the survivor, and audits both patients', async () => {
    await kit.unmerge.execute(steward, mergeId);

    expect(kit.uow.events()).toEqual([
      {
        topic: Topics.identityPatientV1.name,
        key: survivor,
        type: PatientUnmergedV1.type,
        data: { mergeId, survivorId: survivor, restoredId: duplicate, restoredLinks: [{ facilityCode: COMMUNE_STATION, localId: 'TYT-5' }] },
      },
    ]);
    expect(kit.audit.rows).toMatchObject([
      { action: 'patient.unmerge', patientId: survivor, detail: { mergeId, role: 'survivor' } },
      { action: 'patient.unmerge', patientId: duplicate, detail: { mergeId, role: 'restored' } },
    ]);
  });

  it('cannot undo a merge twice', async () => {
    await kit.unmerge.execute(steward, mergeId);
    await expect(kit.unmerge.execute(steward, mergeId)).rejects.toMatchObject({ code: IdentityErrorCode.MergeConflict });
    expect(kit.uow.events()).toHaveLength(1);
  });

  it('an unknown merge is not found', async () => {
    await expect(kit.unmerge.execute(steward, '01936f3e-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: IdentityErrorCode.MergeNotFound });
  });

  it('brings back only what the survivor still holds: links merged on since stay where they are', async () => {
    const third = await seedPatient(kit, '01925', nguyenThiThuHa({ localId: 'TN-77', fullName: 'Lê Văn Tám', sex: 1, birthDate: '1960', identifiers: [] }));
    await kit.merge.execute({ actor: steward, survivorId: third, mergedId: survivor });

    const result = await kit.unmerge.execute(steward, mergeId);

    expect(result.restoredLinks).toEqual([]);
    expect(kit.patients.linksOfNow(third).map((l) => [l.facilityCode, l.localId])).toEqual([
      [BACH_MAI, 'BM-0001'],
      [COMMUNE_STATION, 'TYT-5'],
      ['01925', 'TN-77'],
    ]);
    expect(kit.patients.patients.get(duplicate)?.status).toBe('active');
  });
});

describe('UnmergePatientsUseCase: links to sensitive facilities', () => {
  const steward = personActor('data-steward', [Scopes.steward]);
  const PUBLIC = Topics.identityPatientV1.name;
  const RESTRICTED = Topics.identityPatientRestrictedV1.name;
  let kit: PatientKit;
  let survivor: string;
  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    survivor = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
  });

  const mergeThenUnmerge = async (duplicate: string) => {
    const { mergeId } = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });
    kit.uow.committed.length = 0;
    await kit.unmerge.execute(steward, mergeId);
    return { mergeId, survivorId: survivor, restoredId: duplicate };
  };

  it('the public unmerged gives back only the ordinary links; the HIV clinic’s link comes back on the restricted topic', async () => {
    const ids = await mergeThenUnmerge(await seedSensitivePatient(kit, [COMMUNE_STATION]));

    expect(kit.uow.events()).toEqual([
      { topic: PUBLIC, key: survivor, type: PatientUnmergedV1.type, data: { ...ids, restoredLinks: [{ facilityCode: COMMUNE_STATION, localId: `${COMMUNE_STATION}-7` }] } },
      { topic: RESTRICTED, key: survivor, type: SensitiveLinksUnmergedV1.type, data: { ...ids, restoredLinks: [{ facilityCode: HIV_CLINIC, localId: 'HIV-0042' }] } },
    ]);
  });

  it('undoing a merge that was only about the HIV clinic’s link publishes nothing public, as the merge did not', async () => {
    const ids = await mergeThenUnmerge(await seedSensitivePatient(kit));

    expect(kit.uow.events()).toEqual([
      { topic: RESTRICTED, key: survivor, type: SensitiveLinksUnmergedV1.type, data: { ...ids, restoredLinks: [{ facilityCode: HIV_CLINIC, localId: 'HIV-0042' }] } },
    ]);
  });
});
