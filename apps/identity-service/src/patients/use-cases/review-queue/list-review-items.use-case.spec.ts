import { personActor } from '../../../../test/actors';
import { patientKit, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { type StoredReviewItem } from '../../../../test/fakes/patient-ports.fake';
import { Scopes } from '../../../scopes';

// UUIDv7 ids sort by creation time, which is what the queue's order and cursor rely on.
const ids = ['01936f3e-0001-7000-8000-000000000001', '01936f3e-0002-7000-8000-000000000002', '01936f3e-0003-7000-8000-000000000003', '01936f3e-0004-7000-8000-000000000004'];

function item(id: string, status: StoredReviewItem['status'] = 'open'): StoredReviewItem {
  return {
    id,
    kind: 'duplicate',
    incomingPatientId: '01936f3e-aaaa-7000-8000-000000000001',
    candidatePatientId: '01936f3e-bbbb-7000-8000-000000000002',
    facilityCode: '01001',
    localId: `TYT-${id.slice(-1)}`,
    score: 14.5,
    comparisons: [{ field: 'givenName', outcome: 'close', weight: 3.2 }],
    warnings: [],
    status,
    createdAt: new Date('2026-03-01T02:00:00Z'),
    decidedBy: null,
    decidedAt: null,
    mergeId: null,
  };
}

describe('ListReviewItemsUseCase', () => {
  let kit: PatientKit;
  const steward = personActor('data-steward', [Scopes.steward]);

  beforeEach(() => {
    kit = patientKit();
    for (const id of ids) kit.reviews.items.set(id, item(id, id === ids[1] ? 'rejected' : 'open'));
  });

  it('pages open items oldest first, with a cursor until the last page', async () => {
    const first = await kit.listReviews.execute(steward, { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([ids[0], ids[2]]);
    expect(first.nextCursor).toBe(ids[2]);

    const last = await kit.listReviews.execute(steward, { cursor: first.nextCursor ?? undefined, limit: 2 });
    expect(last.items.map((i) => i.id)).toEqual([ids[3]]);
    expect(last.nextCursor).toBeNull();
  });

  it('a page exactly as long as what is left has no next cursor', async () => {
    await expect(kit.listReviews.execute(steward, { limit: 3 })).resolves.toMatchObject({ nextCursor: null });
  });

  it('shows scores and field outcomes with an ISO time, and audits the read with its count', async () => {
    const { items } = await kit.listReviews.execute(steward, { limit: 1 });
    expect(items[0]).toEqual({
      id: ids[0],
      kind: 'duplicate',
      incomingPatientId: '01936f3e-aaaa-7000-8000-000000000001',
      candidatePatientId: '01936f3e-bbbb-7000-8000-000000000002',
      facilityCode: '01001',
      localId: 'TYT-1',
      score: 14.5,
      comparisons: [{ field: 'givenName', outcome: 'close', weight: 3.2 }],
      warnings: [],
      status: 'open',
      createdAt: '2026-03-01T02:00:00.000Z',
    });
    expect(kit.audit.rows).toMatchObject([{ action: 'review.list', patientId: null, outcome: 'success', actorKind: 'person', detail: { count: 1 } }]);
  });
});
