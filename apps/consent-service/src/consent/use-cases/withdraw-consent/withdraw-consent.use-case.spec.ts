import { ConsentErrorCode } from '../../domain/consent-error';
import { type StoredConsent } from '../../ports/consent-store.port';
import { consentKit, type ConsentKit, facilityActor, statement } from '../../testing/consent-fakes';

const HA = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const CHO_RAY = '79001';
const STRANGER_HOSPITAL = '01901';

describe('WithdrawConsentUseCase', () => {
  let kit: ConsentKit;
  let granted: StoredConsent;
  const end = new Date(Date.now() + 3_600_000);

  beforeEach(async () => {
    kit = consentKit({ patients: [HA], facilities: [CHO_RAY] });
    granted = await kit.record.execute({
      actor: facilityActor(CHO_RAY),
      enterprisePatientId: HA,
      decision: 'grant',
      scope: statement.scope({ categories: ['lab'], validUntil: end.toISOString() }),
      evidence: statement.evidence(),
    });
  });

  it('records the withdrawal as the next version carrying the scope it stops, publishes it and invalidates the cache after commit', async () => {
    const withdrawn = await kit.withdraw.execute({
      actor: facilityActor(CHO_RAY),
      consentId: granted.consentId,
      evidence: statement.evidence({ channel: 'signed-paper', documentSha256: 'cd'.repeat(32), recordedBy: 'NV-9' }),
    });

    const v2 = withdrawn.versions[1];
    expect(v2).toMatchObject({ version: 2, status: 'withdrawn', scope: granted.versions[0]?.scope, evidence: { channel: 'signed-paper', recordedBy: 'NV-9' } });
    expect(kit.uow.events().at(-1)).toMatchObject({
      type: 'vn.lienthong.consent.consent.withdrawn',
      key: HA,
      data: { consentId: granted.consentId, version: 2, scope: { categories: ['lab'], validUntil: end.toISOString() } },
    });
    expect(kit.audit.rows.at(-1)).toMatchObject({ action: 'consent.withdraw', outcome: 'ok', detail: { consentId: granted.consentId, version: 2 } });
    // The grant's end will not be announced: the consent ended now.
    expect(kit.store.expiries).toEqual([{ consentId: granted.consentId, version: 1, endsAt: end, superseded: true, publishedAt: null }]);
    expect(kit.signalled()).toEqual([HA, HA]);
    expect(kit.cache.invalidated).toEqual([[HA], [HA]]);
    expect(kit.cache.commitsSeen).toEqual([1, 2]);
  });

  it('a consent is withdrawn once: the second withdrawal is a 409 and changes nothing', async () => {
    await kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, evidence: statement.evidence() });
    await expect(kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, evidence: statement.evidence() })).rejects.toMatchObject({
      code: ConsentErrorCode.Conflict,
    });
    expect(kit.store.versions.map((v) => v.status)).toEqual(['granted', 'withdrawn']);
    expect(kit.uow.events()).toHaveLength(2);
  });

  it('a refusal is not withdrawn (409): a later grant is how a patient changes their mind', async () => {
    const refused = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'refuse', scope: statement.scope(), evidence: statement.evidence() });
    await expect(kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: refused.consentId, evidence: statement.evidence() })).rejects.toMatchObject({
      code: ConsentErrorCode.Conflict,
    });
  });

  it('a withdrawal needs its evidence like any version: a patient not told about sensitive data is a 422, nothing written', async () => {
    const before = kit.uow.committed.length;
    await expect(
      kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, evidence: statement.evidence({ channel: 'vneid', informedOfSensitivity: false }) }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.Validation });
    const error = await kit.withdraw
      .execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, evidence: statement.evidence({ channel: 'vneid', informedOfSensitivity: false }) })
      .catch((e: { violations: { pointer: string }[] }) => e.violations.map((v) => v.pointer));
    expect(error).toEqual(['#/evidence/reference', '#/evidence/informedOfSensitivity']);
    expect(kit.uow.committed).toHaveLength(before);
    expect(kit.store.versions).toHaveLength(1);
  });

  it('a facility that may not read the consent cannot withdraw it either: 404, audited as denied', async () => {
    await expect(kit.withdraw.execute({ actor: facilityActor(STRANGER_HOSPITAL), consentId: granted.consentId, evidence: statement.evidence() })).rejects.toMatchObject({
      code: ConsentErrorCode.NotFound,
    });
    expect(kit.audit.rows.at(-1)).toMatchObject({ action: 'consent.withdraw', patientId: HA, outcome: 'denied' });
    expect(kit.store.versions).toHaveLength(1);
  });
});
