import { advisoryLockKey } from '@lienthong/persistence';
import { ConsentErrorCode } from '../../domain/consent-error';
import { type StoredConsent } from '../../ports/consent-store.port';
import { consentKit, type ConsentKit, facilityActor, personActor, statement } from '../../testing/consent-fakes';

const HA = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const CHO_RAY = '79001';
const DISTRICT = '79010';
const ELSEWHERE = '01901';
const UNKNOWN_CONSENT = '01936f3e-0000-7000-8000-000000000000';

describe('ChangeConsentUseCase', () => {
  let kit: ConsentKit;
  let granted: StoredConsent;
  const end1 = new Date(Date.now() + 3_600_000);

  beforeEach(async () => {
    kit = consentKit({ patients: [HA], facilities: [CHO_RAY, DISTRICT, ELSEWHERE] });
    granted = await kit.record.execute({
      actor: facilityActor(CHO_RAY),
      enterprisePatientId: HA,
      decision: 'grant',
      scope: statement.scope({ validUntil: end1.toISOString() }),
      evidence: statement.evidence(),
    });
  });

  it('records version 2 with the new scope and its own evidence; version 1 stays readable', async () => {
    const end2 = new Date(Date.now() + 7_200_000);
    const changed = await kit.change.execute({
      actor: facilityActor(DISTRICT),
      consentId: granted.consentId,
      scope: statement.scope({ categories: ['lab', 'mental-health'], grantees: [{ kind: 'facilities', facilityCodes: [ELSEWHERE] }], validUntil: end2.toISOString() }),
      evidence: statement.evidence({ channel: 'sms-code', reference: 'SMS-5521', recordedBy: 'NV-7' }),
    }).catch((e: unknown) => e);
    // The district hospital has no relationship with Hà yet: it may not even learn the consent exists.
    expect(changed).toMatchObject({ code: ConsentErrorCode.NotFound });

    kit.patients.link(HA, DISTRICT);
    const v2 = await kit.change.execute({
      actor: facilityActor(DISTRICT),
      consentId: granted.consentId,
      scope: statement.scope({ categories: ['lab', 'mental-health'], grantees: [{ kind: 'facilities', facilityCodes: [ELSEWHERE] }], validUntil: end2.toISOString() }),
      evidence: statement.evidence({ channel: 'sms-code', reference: 'SMS-5521', recordedBy: 'NV-7' }),
    });

    expect(v2.versions.map((v) => [v.version, v.status, v.evidence.recordedAtFacility])).toEqual([
      [1, 'granted', CHO_RAY],
      [2, 'granted', DISTRICT],
    ]);
    expect(v2.versions[1]?.scope).toMatchObject({ categories: ['lab', 'mental-health'], grantees: [{ kind: 'facilities', facilityCodes: [ELSEWHERE] }], validUntil: end2 });
    expect(await kit.get.execute(facilityActor(CHO_RAY), granted.consentId)).toEqual(v2);

    const events = kit.uow.events();
    expect(events.map((e) => [e.type, e.data['version']])).toEqual([
      ['vn.lienthong.consent.consent.granted', 1],
      ['vn.lienthong.consent.consent.granted', 2],
    ]);
    expect(events[1]?.data).toMatchObject({ recordedAtFacility: DISTRICT, channel: 'sms-code', scope: { categories: ['lab', 'mental-health'] } });
    // Version 1's end is no longer announced; version 2's is.
    expect(kit.store.expiries).toEqual([
      { consentId: granted.consentId, version: 1, endsAt: end1, superseded: true, publishedAt: null },
      { consentId: granted.consentId, version: 2, endsAt: end2, superseded: false, publishedAt: null },
    ]);
    expect(kit.audit.rows.map((r) => [r.action, r.outcome])).toEqual([
      ['consent.grant', 'ok'],
      ['consent.change', 'denied'],
      ['consent.change', 'ok'],
      ['consent.read', 'ok'],
    ]);
    expect(kit.cache.invalidated).toEqual([[HA], [HA]]);
    // Two changes at once serialise on the consent's lock: each gets its own version number.
    expect(kit.uow.committed.at(-2)?.locks).toEqual([advisoryLockKey('consent', granted.consentId)]);
  });

  it('a refusal cannot be changed (409): the patient records a grant instead; the attempt is audited', async () => {
    const refused = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'refuse', scope: statement.scope(), evidence: statement.evidence() });
    await expect(
      kit.change.execute({ actor: facilityActor(CHO_RAY), consentId: refused.consentId, scope: statement.scope(), evidence: statement.evidence() }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.Conflict });

    expect(kit.store.versions.filter((v) => v.consentId === refused.consentId)).toHaveLength(1);
    expect(kit.audit.rows.at(-1)).toMatchObject({ action: 'consent.change', outcome: 'denied', detail: { consentId: refused.consentId, reason: 'not-granted' } });
    expect(kit.uow.events()).toHaveLength(2);
  });

  it('a withdrawn consent cannot be changed (409)', async () => {
    await kit.withdraw.execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, evidence: statement.evidence() });
    await expect(
      kit.change.execute({ actor: facilityActor(CHO_RAY), consentId: granted.consentId, scope: statement.scope(), evidence: statement.evidence() }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.Conflict });
    expect(kit.store.versions.map((v) => v.status)).toEqual(['granted', 'withdrawn']);
  });

  it('an unknown consent is not found, audited as such', async () => {
    await expect(
      kit.change.execute({ actor: facilityActor(CHO_RAY), consentId: UNKNOWN_CONSENT, scope: statement.scope(), evidence: statement.evidence() }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    expect(kit.audit.rows.at(-1)).toMatchObject({ action: 'consent.change', patientId: null, outcome: 'not-found', detail: { consentId: UNKNOWN_CONSENT } });
  });

  it('an unknown grantee facility is a 422 at its exact pointer, and nothing changes', async () => {
    const before = { versions: [...kit.store.versions], audit: kit.audit.rows.length, events: kit.uow.events().length };
    await expect(
      kit.change.execute({
        actor: facilityActor(CHO_RAY),
        consentId: granted.consentId,
        scope: statement.scope({ grantees: [{ kind: 'province', provinceCode: '79' }, { kind: 'facilities', facilityCodes: ['79404'] }] }),
        evidence: statement.evidence(),
      }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.Validation, violations: [{ pointer: '#/scope/grantees/1/facilityCodes/0', rule: 'known-facility' }] });
    expect(kit.store.versions).toEqual(before.versions);
    expect(kit.audit.rows).toHaveLength(before.audit);
    expect(kit.uow.events()).toHaveLength(before.events);
    expect(kit.store.expiries.map((e) => e.superseded)).toEqual([false]);
  });

  it('a person records nothing, not even a data steward', async () => {
    await expect(
      kit.change.execute({ actor: personActor('data-steward'), consentId: granted.consentId, scope: statement.scope(), evidence: statement.evidence() }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.FacilityRequired });
  });
});
