import { ConsentErrorCode } from '../../domain/consent-error';
import { type StoredConsent } from '../../ports/consent-store.port';
import { consentKit, type ConsentKit, facilityActor, personActor, serviceActor, statement } from '../../testing/consent-fakes';

const HA = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const CHO_RAY = '79001';
const DISTRICT = '79010';
const ELSEWHERE = '01901';
const UNKNOWN = '01936f3e-0000-7000-8000-000000000000';

describe('GetConsentUseCase', () => {
  let kit: ConsentKit;
  let consent: StoredConsent;

  beforeEach(async () => {
    kit = consentKit({ patients: [HA], facilities: [CHO_RAY] });
    consent = await kit.record.execute({ actor: facilityActor(CHO_RAY), enterprisePatientId: HA, decision: 'grant', scope: statement.scope(), evidence: statement.evidence() });
    kit.patients.link(HA, DISTRICT);
  });

  it('the recording facility, a facility where the patient is registered and a data steward read it, each read audited', async () => {
    for (const reader of [facilityActor(CHO_RAY), facilityActor(DISTRICT), serviceActor('records-service', DISTRICT), personActor('data-steward')]) {
      expect(await kit.get.execute(reader, consent.consentId)).toEqual(consent);
    }
    expect(kit.audit.rows.slice(1).map((r) => [r.action, r.outcome, r.actor.kind, r.actor.facilityCode])).toEqual([
      ['consent.read', 'ok', 'facility', CHO_RAY],
      ['consent.read', 'ok', 'facility', DISTRICT],
      ['consent.read', 'ok', 'service', DISTRICT],
      ['consent.read', 'ok', 'person', null],
    ]);
  });

  it('anyone else gets the 404 of an unknown id, audited as denied', async () => {
    for (const reader of [facilityActor(ELSEWHERE), personActor('ministry-analyst'), serviceActor('exchange-service')]) {
      await expect(kit.get.execute(reader, consent.consentId)).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    }
    expect(kit.audit.rows.slice(1).map((r) => [r.outcome, r.patientId])).toEqual([
      ['denied', HA],
      ['denied', HA],
      ['denied', HA],
    ]);
  });

  it('an unknown id is not found, audited with no patient', async () => {
    await expect(kit.get.execute(facilityActor(CHO_RAY), UNKNOWN)).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    expect(kit.audit.rows.at(-1)).toMatchObject({ action: 'consent.read', patientId: null, outcome: 'not-found', detail: { consentId: UNKNOWN } });
  });

  it('a version the consent has is found; one it does not have is not', async () => {
    await expect(kit.get.execute(facilityActor(CHO_RAY), consent.consentId, { version: 1 })).resolves.toEqual(consent);
    await expect(kit.get.execute(facilityActor(CHO_RAY), consent.consentId, { version: 2 })).rejects.toMatchObject({ code: ConsentErrorCode.NotFound });
    expect(kit.audit.rows.slice(1).map((r) => [r.outcome, r.detail])).toEqual([
      ['ok', { consentId: consent.consentId, version: 1 }],
      ['not-found', { consentId: consent.consentId, version: 2 }],
    ]);
  });
});
