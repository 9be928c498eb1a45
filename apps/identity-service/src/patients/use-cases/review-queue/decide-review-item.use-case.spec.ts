import { PatientLinkedV1, PatientMergedV1, SensitiveLinkLinkedV1, SensitiveLinksMergedV1, Topics } from '@lienthong/contracts';
import { personActor } from '../../../../test/actors';
import { COMMUNE_STATION, HIV_CLINIC, patientKit, seedDuplicatePair, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { Scopes } from '../../../scopes';

describe('DecideReviewItemUseCase', () => {
  let kit: PatientKit;
  let survivor: string;
  let duplicate: string;
  let reviewItemId: string;
  const steward = personActor('data-steward', [Scopes.steward]);

  beforeEach(async () => {
    kit = patientKit();
    ({ survivor, duplicate, reviewItemId } = await seedDuplicatePair(kit));
  });

  it('confirm merges the new record into the candidate and announces the confirmed link', async () => {
    const result = await kit.decideReview.execute(steward, reviewItemId, 'confirm');

    expect(result).toEqual({ reviewItemId, status: 'confirmed', enterprisePatientId: survivor, mergeId: expect.any(String) });
    expect(kit.patients.patients.get(duplicate)).toMatchObject({ status: 'merged', mergedInto: survivor });
    expect(kit.reviews.items.get(reviewItemId)).toMatchObject({ status: 'confirmed', decidedBy: steward.subject, mergeId: result.mergeId });
    expect(kit.uow.events()).toEqual([
      expect.objectContaining({ key: survivor, type: PatientMergedV1.type, data: expect.objectContaining({ mergeId: result.mergeId, mergedId: duplicate }) }),
      expect.objectContaining({
        key: survivor,
        type: PatientLinkedV1.type,
        data: { enterprisePatientId: survivor, facilityCode: COMMUNE_STATION, localId: 'TYT-5', method: 'review-confirmed', score: null },
      }),
    ]);
    expect(kit.audit.rows).toMatchObject([
      { action: 'patient.merge', patientId: survivor, detail: { reason: 'review-confirmed' } },
      { action: 'patient.merge', patientId: duplicate, detail: { reason: 'review-confirmed' } },
    ]);
  });

  it('reject closes the item and leaves both patients as they are', async () => {
    const result = await kit.decideReview.execute(steward, reviewItemId, 'reject');

    expect(result).toEqual({ reviewItemId, status: 'rejected', enterprisePatientId: duplicate, mergeId: null });
    expect(kit.reviews.items.get(reviewItemId)).toMatchObject({ status: 'rejected', decidedBy: steward.subject, mergeId: null });
    expect([kit.patients.patients.get(survivor)?.status, kit.patients.patients.get(duplicate)?.status]).toEqual(['active', 'active']);
    expect(kit.merges.merges.size).toBe(0);
    expect(kit.uow.events()).toEqual([]);
    expect(kit.audit.rows).toMatchObject([
      { action: 'review.reject', patientId: duplicate, detail: { reviewItemId } },
      { action: 'review.reject', patientId: survivor, detail: { reviewItemId } },
    ]);
  });

  it('an item is decided once', async () => {
    await kit.decideReview.execute(steward, reviewItemId, 'reject');
    await expect(kit.decideReview.execute(steward, reviewItemId, 'confirm')).rejects.toMatchObject({ code: IdentityErrorCode.ReviewItemClosed });
    expect(kit.patients.patients.get(duplicate)?.status).toBe('active');
  });

  it('an unknown item is not found', async () => {
    await expect(kit.decideReview.execute(steward, '01936f3e-0000-7000-8000-000000000000', 'reject')).rejects.toMatchObject({ code: IdentityErrorCode.ReviewItemNotFound });
  });

  it('a confirm whose merge is refused leaves the item open', async () => {
    await kit.merge.execute({ actor: steward, survivorId: survivor, mergedId: duplicate });

    await expect(kit.decideReview.execute(steward, reviewItemId, 'confirm')).rejects.toMatchObject({ code: IdentityErrorCode.MergeConflict });

    expect(kit.reviews.items.get(reviewItemId)?.status).toBe('open');
  });
});

describe('DecideReviewItemUseCase: a duplicate registered at a sensitive facility', () => {
  const steward = personActor('data-steward', [Scopes.steward]);

  it('confirming it announces the merge and the confirmed link on the restricted topic only', async () => {
    const kit = patientKit({ sensitive: [HIV_CLINIC] });
    const { survivor, duplicate, reviewItemId } = await seedDuplicatePair(kit, HIV_CLINIC);

    const { mergeId } = await kit.decideReview.execute(steward, reviewItemId, 'confirm');

    const restricted = Topics.identityPatientRestrictedV1.name;
    const link = { facilityCode: HIV_CLINIC, localId: 'TYT-5' };
    expect(kit.uow.events()).toEqual([
      { topic: restricted, key: survivor, type: SensitiveLinksMergedV1.type, data: { mergeId, survivorId: survivor, mergedId: duplicate, movedLinks: [link] } },
      { topic: restricted, key: survivor, type: SensitiveLinkLinkedV1.type, data: { enterprisePatientId: survivor, ...link, method: 'review-confirmed', score: null } },
    ]);
  });
});
