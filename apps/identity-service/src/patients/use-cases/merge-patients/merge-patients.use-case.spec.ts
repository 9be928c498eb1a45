import { PatientMergedV1, SensitiveLinksMergedV1, Topics } from '@lienthong/contracts';
import { personActor } from '../../../../test/actors';
import {
  BACH_MAI,
  COMMUNE_STATION,
  HA_CMND,
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

describe('MergePatientsUseCase', () => {
  let kit: PatientKit;
  let survivor: string;
  let duplicate: string;
  const steward = personActor('data-steward', [Scopes.steward]);

  beforeEach(async () => {
    kit = patientKit();
    ({ survivor, duplicate } = await seedDuplicatePair(kit));
  });

  it('moves the duplicate’s links and identifiers to the survivor and redirects the duplicate', async () => {
    const result = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });

    expect(result).toEqual({ mergeId: expect.any(String), survivorId: survivor, mergedId: duplicate, movedLinks: [{ facilityCode: COMMUNE_STATION, localId: 'TYT-5' }] });
    expect(kit.patients.linksOfNow(survivor).map((l) => [l.facilityCode, l.localId, l.originalPatientId])).toEqual([
      [BACH_MAI, 'BM-0001', survivor],
      [COMMUNE_STATION, 'TYT-5', duplicate],
    ]);
    expect(kit.patients.identifiersOfNow([survivor]).map((i) => i.system)).toEqual(['cccd', 'cmnd']);
    expect(kit.patients.patients.get(duplicate)).toMatchObject({ status: 'merged', mergedInto: survivor });
    // The duplicate's spelling still finds the survivor at the next registration.
    expect(kit.patients.blockingKeysOf(survivor)).toEqual(expect.arrayContaining(kit.patients.blockingKeysOf(duplicate)));
  });

  it('recomputes the survivor’s record from both patients’ source records, and an unmerge gives each its own back', async () => {
    const k = patientKit();
    const withoutPhone = await seedPatient(k, BACH_MAI, nguyenThiThuHa({ phone: undefined }));
    const slip = nguyenThiThuHa({ localId: 'TYT-9', fullName: 'Nguyễn Thị Thu Haf', phone: '0987654321', identifiers: [{ system: 'cmnd', value: HA_CMND }] });
    const withPhone = await seedPatient(k, COMMUNE_STATION, slip);
    expect(k.patients.patients.get(withoutPhone)?.phone).toBeUndefined();

    const { mergeId } = await k.merge.execute({ actor: steward, survivorId: withoutPhone, mergedId: withPhone });
    // The commune station's phone is the only one anybody reported: the merged record has it.
    expect(k.patients.patients.get(withoutPhone)).toMatchObject({ fullName: 'Nguyễn Thị Thu Hà', phone: '987654321' });

    await k.unmerge.execute(steward, mergeId);
    expect(k.patients.patients.get(withoutPhone)?.phone).toBeUndefined();
    expect(k.patients.patients.get(withPhone)).toMatchObject({ status: 'active', fullName: 'Nguyễn Thị Thu Haf', phone: '987654321' });
  });

  it('records exactly what moved, so an unmerge can move it back', async () => {
    const { mergeId } = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });
    const [moved] = kit.patients.linksOfNow(survivor).filter((l) => l.facilityCode === COMMUNE_STATION);
    expect(kit.merges.merges.get(mergeId)).toMatchObject({
      survivorId: survivor,
      mergedId: duplicate,
      movedLinks: [{ linkId: moved?.id, facilityCode: COMMUNE_STATION, localId: 'TYT-5' }],
      movedIdentifierIds: kit.patients.identifiersOfNow([survivor]).filter((i) => i.system === 'cmnd').map((i) => i.id),
      mergedBy: steward.subject,
      undoneAt: null,
    });
  });

  it('publishes one merged event keyed by the survivor, and audits both patients', async () => {
    const { mergeId } = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });

    expect(kit.uow.events()).toEqual([
      {
        topic: Topics.identityPatientV1.name,
        key: survivor,
        type: PatientMergedV1.type,
        data: { mergeId, survivorId: survivor, mergedId: duplicate, movedLinks: [{ facilityCode: COMMUNE_STATION, localId: 'TYT-5' }] },
      },
    ]);
    expect(kit.audit.rows).toMatchObject([
      { action: 'patient.merge', patientId: survivor, actorKind: 'person', detail: { mergeId, role: 'survivor', reason: 'merge' } },
      { action: 'patient.merge', patientId: duplicate, actorKind: 'person', detail: { mergeId, role: 'merged', reason: 'merge' } },
    ]);
  });

  it.each([
    ['a patient into itself', () => ({ survivorId: survivor, mergedId: survivor }), IdentityErrorCode.MergeConflict],
    ['an unknown patient', () => ({ survivorId: survivor, mergedId: '01936f3e-0000-7000-8000-000000000000' }), IdentityErrorCode.PatientNotFound],
  ])('refuses to merge %s', async (_what, ids, code) => {
    await expect(kit.merge.execute({ actor: steward, ...ids() })).rejects.toMatchObject({ code });
    expect(kit.uow.committed).toEqual([]);
  });

  it('refuses a patient already merged, either way round, leaving the first merge as it was', async () => {
    await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });
    const before = kit.uow.committed.length;

    await expect(kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate })).rejects.toMatchObject({ code: IdentityErrorCode.MergeConflict });
    await expect(kit.merge.execute({ actor: steward, survivorId: duplicate, mergedId: survivor })).rejects.toMatchObject({ code: IdentityErrorCode.MergeConflict });

    expect(kit.uow.committed).toHaveLength(before);
    expect(kit.merges.merges.size).toBe(1);
    expect(kit.patients.patients.get(survivor)?.status).toBe('active');
  });
});

describe('MergePatientsUseCase: links to sensitive facilities', () => {
  const steward = personActor('data-steward', [Scopes.steward]);
  const PUBLIC = Topics.identityPatientV1.name;
  const RESTRICTED = Topics.identityPatientRestrictedV1.name;
  let kit: PatientKit;
  let survivor: string;
  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    survivor = await seedPatient(kit, BACH_MAI, nguyenThiThuHa());
  });

  it('the public merged lists only the ordinary links; the HIV clinic’s link goes on the restricted topic', async () => {
    const duplicate = await seedSensitivePatient(kit, [COMMUNE_STATION]);

    const result = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });

    const ids = { mergeId: result.mergeId, survivorId: survivor, mergedId: duplicate };
    expect(kit.uow.events()).toEqual([
      { topic: PUBLIC, key: survivor, type: PatientMergedV1.type, data: { ...ids, movedLinks: [{ facilityCode: COMMUNE_STATION, localId: `${COMMUNE_STATION}-7` }] } },
      { topic: RESTRICTED, key: survivor, type: SensitiveLinksMergedV1.type, data: { ...ids, movedLinks: [{ facilityCode: HIV_CLINIC, localId: 'HIV-0042' }] } },
    ]);
    // Every link still moved, and the steward who asked is told about all of them.
    expect(result.movedLinks).toEqual([
      { facilityCode: HIV_CLINIC, localId: 'HIV-0042' },
      { facilityCode: COMMUNE_STATION, localId: `${COMMUNE_STATION}-7` },
    ]);
    expect(kit.patients.linksOfNow(survivor).map((l) => l.facilityCode)).toEqual([BACH_MAI, HIV_CLINIC, COMMUNE_STATION]);
  });

  it('a merged patient known only at the HIV clinic is merged on the restricted topic alone: no public event names an id the public never saw', async () => {
    const duplicate = await seedSensitivePatient(kit);

    const { mergeId } = await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });

    expect(kit.uow.events()).toEqual([
      { topic: RESTRICTED, key: survivor, type: SensitiveLinksMergedV1.type, data: { mergeId, survivorId: survivor, mergedId: duplicate, movedLinks: [{ facilityCode: HIV_CLINIC, localId: 'HIV-0042' }] } },
    ]);
  });
});
