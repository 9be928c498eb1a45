import { ConsentErrorCode } from '../../domain/consent-error';
import { consentKit, type ConsentKit, facilityActor, personActor, serviceActor, statement } from '../../testing/consent-fakes';

const HA = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const STRANGER = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1eff';
const CHO_RAY = '79001';
const DISTRICT = '79010';
const HASH = 'ab'.repeat(32);

describe('RecordConsentUseCase', () => {
  let kit: ConsentKit;

  beforeEach(() => {
    kit = consentKit({ patients: [HA], facilities: [CHO_RAY, DISTRICT] });
  });

  it('records a grant as version 1 at the token’s facility and time, publishes it, audits it and invalidates the cache', async () => {
    const before = Date.now();
    const consent = await kit.record.execute({
      actor: facilityActor(CHO_RAY),
      enterprisePatientId: HA,
      decision: 'grant',
      scope: statement.scope({ grantees: [{ kind: 'facilities', facilityCodes: [DISTRICT] }] }),
      evidence: statement.evidence(),
    });

    expect(consent).toMatchObject({ enterprisePatientId: HA, originalPatientId: HA });
    expect(consent.versions).toHaveLength(1);
    const [v1] = consent.versions;
    expect(v1).toMatchObject({ version: 1, status: 'granted', scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], validUntil: null } });
    expect(v1?.evidence).toMatchObject({ recordedAtFacility: CHO_RAY, recordedBy: 'NV-0042', channel: 'in-person', reference: null, documentSha256: null });
    expect(v1?.evidence.recordedAt.getTime()).toBeGreaterThanOrEqual(before);
    // No validFrom given: the grant speaks from when it was recorded.
    expect(v1?.scope.validFrom).toEqual(v1?.evidence.recordedAt);

    expect(await kit.get.execute(facilityActor(CHO_RAY), consent.consentId)).toEqual(consent);
    expect(kit.uow.events()).toEqual([
      {
        topic: 'consent.v1',
        key: HA,
        type: 'vn.lienthong.consent.consent.granted',
        data: {
          consentId: consent.consentId,
          version: 1,
          enterprisePatientId: HA,
          recordedAt: v1?.evidence.recordedAt.toISOString(),
          recordedAtFacility: CHO_RAY,
          channel: 'in-person',
          byRepresentative: false,
          scope: {
            purposes: ['treatment', 'referral'],
            categories: ['lab', 'imaging'],
            grantees: [{ kind: 'facilities', facilityCodes: [DISTRICT] }],
            validFrom: v1?.scope.validFrom.toISOString(),
            validUntil: null,
          },
        },
      },
    ]);
    expect(kit.audit.rows[0]).toMatchObject({ action: 'consent.grant', patientId: HA, outcome: 'ok', detail: { consentId: consent.consentId, version: 1 } });
    expect(kit.audit.rows[0]?.actor).toMatchObject({ kind: 'facility', facilityCode: CHO_RAY, subject: `his-${CHO_RAY}` });
    expect(kit.signalled()).toEqual([HA]);
    // After the commit, before the answer: the next decision anywhere reads the new truth.
    expect(kit.cache.invalidated).toEqual([[HA]]);
    expect(kit.cache.commitsSeen).toEqual([1]);
    expect(kit.store.versions[0]?.recordedBySubject).toBe(`his-${CHO_RAY}`);
  });

  it('records a refusal the same way, published as refused; a refusal’s end is not an expiry to announce', async () => {
    const consent = await kit.record.execute({
      actor: facilityActor(CHO_RAY),
      enterprisePatientId: HA,
      decision: 'refuse',
      scope: statement.scope({ purposes: ['research-deidentified'], validUntil: new Date(Date.now() + 86_400_000).toISOString() }),
      evidence: statement.evidence({ channel: 'vneid', reference: 'VNEID-TX-778' }),
    });

    expect(consent.versions[0]).toMatchObject({ status: 'refused', evidence: { channel: 'vneid', reference: 'VNEID-TX-778' } });
    expect(kit.uow.events().map((e) => e.type)).toEqual(['vn.lienthong.consent.consent.refused']);
    expect(kit.audit.rows.map((r) => r.action)).toEqual(['consent.refuse']);
    expect(kit.store.expiries).toEqual([]);
  });

  it('a grant with an end is scheduled to be announced when it ends', async () => {
    const end = new Date(Date.now() + 3_600_000);
    const consent = await kit.record.execute({
      actor: facilityActor(CHO_RAY),
      enterprisePatientId: HA,
      decision: 'grant',
      scope: statement.scope({ validUntil: end.toISOString() }),
      evidence: statement.evidence(),
    });
    expect(kit.store.expiries).toEqual([{ consentId: consent.consentId, version: 1, endsAt: end, superseded: false, publishedAt: null }]);
  });

  it('a service acting for a facility records as that facility; a signed paper keeps its scan’s hash in lower case', async () => {
    kit.patients.link(HA, DISTRICT);
    const consent = await kit.record.execute({
      actor: serviceActor('records-service', DISTRICT),
      enterprisePatientId: HA,
      decision: 'grant',
      scope: statement.scope(),
      evidence: statement.evidence({ channel: 'signed-paper', documentSha256: HASH.toUpperCase() }),
    });
    expect(consent.versions[0]?.evidence).toMatchObject({ recordedAtFacility: DISTRICT, channel: 'signed-paper', documentSha256: HASH });
  });

  it('records a legal representative’s consent with the relationship, and tells the event only that one was given', async () => {
    const representative = { relationship: 'parent' as const, name: 'Trần Thị Mai', subjectBirthDate: '2019-05-01', childConsented: false };
    const consent = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'grant', scope: statement.scope(), evidence: statement.evidence(), representative });

    expect(consent.versions[0]?.representative).toEqual(representative);
    expect(kit.uow.events()[0]?.data).toMatchObject({ byRepresentative: true });
    expect(JSON.stringify(kit.uow.events())).not.toContain('Trần Thị Mai');
    expect(JSON.stringify(kit.audit.rows)).not.toContain('Trần Thị Mai');
  });

  it('a consent given for a patient merged into another is recorded for the survivor, where decisions about either look', async () => {
    const survivor = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e0a';
    kit.patients.announce(survivor);
    kit.store.mergedInto.set(HA, survivor);
    const consent = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'refuse', scope: statement.scope(), evidence: statement.evidence() });

    expect(consent).toMatchObject({ enterprisePatientId: survivor, versions: [{ enterprisePatientId: survivor, status: 'refused' }] });
    expect((await kit.list.execute(facilityActor(CHO_RAY), survivor, { limit: 10 })).items.map((c) => c.consentId)).toEqual([consent.consentId]);
    expect(kit.uow.events()[0]).toMatchObject({ key: survivor, data: { enterprisePatientId: survivor } });
    expect(kit.audit.rows[0]).toMatchObject({ patientId: survivor, detail: { requestedFor: HA } });
    expect(kit.cache.invalidated).toEqual([[survivor]]);
  });

  it('answers every broken rule in one 422, each at its pointer, and writes nothing', async () => {
    const error = await kit.record
      .execute({
        actor: facilityActor(CHO_RAY),
        enterprisePatientId: HA,
        decision: 'grant',
        scope: statement.scope({
          categories: ['lab', 'hiv'],
          grantees: [{ kind: 'care-relationship' }, { kind: 'facilities', facilityCodes: [DISTRICT, '79999'] }],
          validFrom: '2030-01-02T00:00:00+07:00',
          validUntil: '2030-01-01T00:00:00+07:00',
        }),
        evidence: statement.evidence({ channel: 'signed-paper', informedOfSensitivity: false }),
      })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: ConsentErrorCode.Validation });
    expect((error as { violations: { pointer: string }[] }).violations.map((v) => v.pointer).sort()).toEqual([
      '#/evidence/documentSha256',
      '#/evidence/informedOfSensitivity',
      '#/scope/grantees/1/facilityCodes/1',
      '#/scope/validUntil',
    ]);
    expectNothingWritten(kit);
  });

  it('an unknown patient is a 422 coded unknown-patient at #/enterprisePatientId, and nothing is written', async () => {
    await expect(
      kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: STRANGER, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.UnknownPatient, violations: [{ pointer: '#/enterprisePatientId', rule: 'known-patient' }] });
    expectNothingWritten(kit);
  });

  it('a facility where identity has not registered the patient records nothing: 422 care-relationship at #/enterprisePatientId, until the link arrives', async () => {
    const atDistrict = () =>
      kit.record.execute({ actor: serviceActor('records-service', DISTRICT), enterprisePatientId: HA, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() });
    await expect(atDistrict()).rejects.toMatchObject({
      code: ConsentErrorCode.Validation,
      violations: [{ pointer: '#/enterprisePatientId', rule: 'care-relationship' }],
    });
    expectNothingWritten(kit);

    kit.patients.link(HA, DISTRICT);
    await expect(atDistrict()).resolves.toMatchObject({ enterprisePatientId: HA, versions: [{ evidence: { recordedAtFacility: DISTRICT } }] });
  });

  it('after a merge, a link held by the survivor is a care relationship for a consent given under the merged id', async () => {
    const survivor = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e0b';
    kit.patients.link(survivor, DISTRICT);
    kit.store.mergedInto.set(HA, survivor);
    const consent = await kit.record.execute({ actor: facilityActor(DISTRICT), enterprisePatientId: HA, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() });
    expect(consent).toMatchObject({ enterprisePatientId: survivor, versions: [{ evidence: { recordedAtFacility: DISTRICT } }] });
  });

  it('a period that has already ended is refused: it would permit or refuse nothing', async () => {
    await expect(
      kit.record.execute({
        actor: facilityActor(CHO_RAY),
        enterprisePatientId: HA,
        decision: 'grant',
        scope: statement.scope({ validFrom: '2024-01-01T00:00:00+07:00', validUntil: '2024-06-01T00:00:00+07:00' }),
        evidence: statement.evidence(),
      }),
    ).rejects.toMatchObject({ code: ConsentErrorCode.Validation, violations: [{ pointer: '#/scope/validUntil', rule: 'future' }] });
    expectNothingWritten(kit);
  });

  it('only a facility (or a service acting for one) records consents', async () => {
    for (const actor of [personActor('data-steward'), serviceActor('exchange-service')]) {
      await expect(kit.record.execute({ actor, enterprisePatientId: HA, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() })).rejects.toMatchObject({
        code: ConsentErrorCode.FacilityRequired,
      });
    }
    expectNothingWritten(kit);
  });
});

function expectNothingWritten(kit: ConsentKit): void {
  expect(kit.store.consents.size).toBe(0);
  expect(kit.store.versions).toEqual([]);
  expect(kit.store.expiries).toEqual([]);
  expect(kit.uow.events()).toEqual([]);
  expect(kit.audit.rows).toEqual([]);
  expect(kit.signalled()).toEqual([]);
  expect(kit.cache.invalidated).toEqual([]);
}
