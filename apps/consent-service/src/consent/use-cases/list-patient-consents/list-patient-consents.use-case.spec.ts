import { ConsentErrorCode } from '../../domain/consent-error';
import { consentKit, type ConsentKit, facilityActor, personActor, statement } from '../../testing/consent-fakes';

const HA = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const BINH = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e02';
const UNKNOWN = '01936f3e-0000-7000-8000-000000000000';
const CHO_RAY = '79001';
const DISTRICT = '79010';
const ELSEWHERE = '01901';

describe('ListPatientConsentsUseCase', () => {
  let kit: ConsentKit;

  beforeEach(() => {
    kit = consentKit({ patients: [HA, BINH], facilities: [CHO_RAY, DISTRICT] });
  });

  const grant = (patient: string, at = CHO_RAY) =>
    kit.record.execute({ actor: facilityActor(at), enterprisePatientId: patient, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() });

  it('answers the history: every consent newest first, each with every version, a page at a time', async () => {
    const first = await grant(HA);
    const second = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'refuse', scope: statement.scope({ purposes: ['research-deidentified'] }), evidence: statement.evidence() });
    await kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: first.consentId, evidence: statement.evidence() });
    const third = await grant(HA);
    await grant(BINH);

    const page1 = await kit.list.execute(facilityActor(CHO_RAY), HA, { limit: 2 });
    expect(page1.items.map((c) => c.consentId)).toEqual([third.consentId, second.consentId]);
    expect(page1.nextCursor).toBe(second.consentId);
    const page2 = await kit.list.execute(facilityActor(CHO_RAY), HA, { cursor: page1.nextCursor ?? undefined, limit: 2 });
    expect(page2.items.map((c) => [c.consentId, c.versions.map((v) => v.status)])).toEqual([[first.consentId, ['granted', 'withdrawn']]]);
    expect(page2.nextCursor).toBeNull();
    expect(kit.audit.rows.filter((r) => r.action === 'consent.history').map((r) => [r.patientId, r.outcome, r.detail])).toEqual([
      [HA, 'ok', { count: 2 }],
      [HA, 'ok', { count: 1, cursor: second.consentId }],
    ]);
  });

  it('a facility where the patient is registered reads them; one with no relationship, or an analyst, gets 404 audited as denied', async () => {
    await grant(HA);
    kit.patients.link(HA, DISTRICT);
    await expect(kit.list.execute(facilityActor(DISTRICT), HA, { limit: 50 })).resolves.toMatchObject({ items: [{ enterprisePatientId: HA }] });
    await expect(kit.list.execute(personActor('data-steward'), HA, { limit: 50 })).resolves.toMatchObject({ items: [{ enterprisePatientId: HA }] });
    for (const reader of [facilityActor(ELSEWHERE), personActor('provincial-analyst')]) {
      await expect(kit.list.execute(reader, HA, { limit: 50 })).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    }
    expect(kit.audit.rows.filter((r) => r.action === 'consent.history').map((r) => r.outcome)).toEqual(['ok', 'ok', 'denied', 'denied']);
  });

  it('an unknown patient is a 404 whoever asks (audited not-found); a known one without consents is an empty history', async () => {
    await expect(kit.list.execute(personActor('data-steward'), UNKNOWN, { limit: 50 })).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    await expect(kit.list.execute(personActor('data-steward'), BINH, { limit: 50 })).resolves.toEqual({ items: [], nextCursor: null });
    expect(kit.audit.rows.map((r) => r.outcome)).toEqual(['not-found', 'ok']);
  });

  it('after a merge the consents are listed under the survivor, whose facilities may read them', async () => {
    kit.patients.link(BINH, DISTRICT);
    const hers = await grant(BINH, DISTRICT);
    kit.store.moveConsent(hers.consentId, HA);
    const survivor = await kit.list.execute(facilityActor(DISTRICT), HA, { limit: 50 });
    expect(survivor.items.map((c) => [c.consentId, c.originalPatientId, c.versions[0]?.enterprisePatientId])).toEqual([[hers.consentId, BINH, HA]]);
    expect((await kit.list.execute(personActor('data-steward'), BINH, { limit: 50 })).items).toEqual([]);
  });
});
