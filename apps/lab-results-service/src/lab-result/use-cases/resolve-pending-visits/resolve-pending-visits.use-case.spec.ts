import { type FacilityActor } from '@lienthong/platform';
import { ingestKit } from '../../testing/ingest-fakes';
import { labVisit, syntheticPatient, xml130File } from '../../testing/xml130-visits';

const DONG_DA = '01903';
const PERFORMED = new Date('2026-11-20T01:15:00Z');
const his: FacilityActor = { kind: 'facility', facilityCode: DONG_DA, subject: `his-${DONG_DA}`, scopes: [], purposeOfUse: 'treatment' };
const DOWN = { kind: 'unavailable', reason: 'identity unreachable: ECONNREFUSED' } as const;
const later = (ms: number) => new Date(Date.now() + ms);

/** A kit with `n` visits accepted while identity was down. */
async function waiting(n: number) {
  const kit = ingestKit();
  kit.identity.fallback = DOWN;
  const visits = Array.from({ length: n }, (_, i) => labVisit(DONG_DA, `DD.${i}`, syntheticPatient(i + 1), PERFORMED));
  const answer = await kit.ingest.execute({ actor: his, file: xml130File(DONG_DA, visits) });
  expect(answer.visits.every((v) => v.outcome === 'pending-patient')).toBe(true);
  kit.identity.calls.length = 0;
  return { kit, answer };
}

describe('ResolvePendingVisitsUseCase (the retry worker)', () => {
  it('while identity stays down, a pass costs one call: the rest of the batch is put back untried', async () => {
    const { kit } = await waiting(3);
    const pass = await kit.resolvePending.execute(25, later(60_000));
    expect(pass).toEqual({ claimed: 3, outcomes: { stored: 0, unchanged: 0, 'pending-patient': 3, rejected: 0 } });
    expect(kit.identity.calls).toHaveLength(1);
    expect([...kit.visits.rows.values()].every((v) => v.status === 'pending-patient' && v.attempts === 1)).toBe(true);
  });

  it('backs off: each failed attempt doubles the wait (from LAB_PENDING_RETRY_MS), up to 60 times it', async () => {
    const { kit } = await waiting(1);
    const visit = () => [...kit.visits.rows.values()][0];
    const delays: number[] = [];
    let now = later(60_000);
    for (let i = 0; i < 8; i++) {
      await kit.resolvePending.execute(25, now);
      const next = visit()?.nextAttemptAt?.getTime() ?? 0;
      delays.push(Math.round((next - Date.now()) / 1000));
      now = new Date(next + 1);
    }
    // After the n-th failed attempt the next is 2^n × 1 s (LAB_PENDING_RETRY_MS in the kit) later, at most 60 × 1 s.
    expect(delays).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('identity back: every waiting visit is stored and each report of it says so', async () => {
    const { kit, answer } = await waiting(3);
    kit.identity.fallback = 'resolve';
    const pass = await kit.resolvePending.execute(25, later(60_000));
    expect(pass.outcomes.stored).toBe(3);
    const report = await kit.getSubmission.execute(his, answer.submissionId);
    expect(report.visits.map((v) => [v.outcome, v.results.new])).toEqual([
      ['stored', 5],
      ['stored', 5],
      ['stored', 5],
    ]);
    // Each visit resolved once, with the idempotency key of its content's generation.
    expect(kit.identity.calls.map((c) => c.idempotencyKey)).toEqual([...kit.visits.rows.values()].map((v) => `lab-visit-${v.visitId}-1`));
  });

  it('demographics that no longer open (the key was replaced): the visit is rejected, asking for it again', async () => {
    const { kit, answer } = await waiting(1);
    const row = [...kit.visits.rows.values()][0];
    if (row) row.demographics = Buffer.from('garbage');
    const pass = await kit.resolvePending.execute(25, later(60_000));
    expect(pass.outcomes.rejected).toBe(1);
    expect(kit.identity.calls).toHaveLength(0);
    const report = await kit.getSubmission.execute(his, answer.submissionId);
    expect(report.visits[0]).toMatchObject({ outcome: 'rejected', errors: [expect.objectContaining({ pointer: '#/visits/0/xml1', rule: 'demographics-unreadable' })] });
  });

  it('a resolution for content resubmitted meanwhile is dropped; the new content is resolved on its own', async () => {
    const { kit } = await waiting(1);
    const [claimed] = await kit.uow.run((tx) => kit.visits.claimDue(tx, later(60_000), later(70_000), 25));
    if (claimed === undefined) throw new Error('nothing claimed');
    // The hospital resends a corrected visit while generation 1 is being resolved (identity still down).
    await kit.ingest.execute({ actor: his, file: xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0', syntheticPatient(1), PERFORMED, { glucose: '9,9' })]) });
    kit.identity.fallback = 'resolve';
    const demographics = kit.vault.open(claimed.demographics, `${DONG_DA}\u0000DD.0`);
    const stale = await kit.settlement.settle({ visitId: claimed.visitId, generation: claimed.generation, facilityCode: DONG_DA, demographics, attempts: 1, actor: his, submissionId: null });
    expect(stale).toMatchObject({ outcome: 'pending-patient', retry: false });
    expect(kit.results.versions).toHaveLength(0);

    const pass = await kit.resolvePending.execute(25, later(120_000));
    expect(pass.outcomes.stored).toBe(1);
    const glucose = [...kit.results.current.values()].find((r) => r.result.test.catalogueCode === 'GLU');
    expect(glucose?.result).toMatchObject({ version: 1, value: { kind: 'quantity', value: 9.9, comparator: null } });
    expect(kit.results.versions).toHaveLength(5);
  });
});
