import {
  PatientLinkedV1,
  PatientRegisteredV1,
  PatientUpdatedV1,
  SensitiveLinkLinkedV1,
  SensitiveLinkRegisteredV1,
  SensitiveLinkUpdatedV1,
  Topics,
} from '@lienthong/contracts';
import { facilityActor, personActor, serviceActor, type Actor } from '../../../../test/actors';
import { HA_BHYT, HA_CCCD, nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';
import { type RegisterPatientBody } from '../../domain/registration-input';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';
const CCCD = HA_CCCD;
const NEW_CCCD = '001187054321';
const BHYT = HA_BHYT;
/** How Bạch Mai's HIS sends Nguyễn Thị Thu Hà. */
const ha = nguyenThiThuHa;
const [REGISTERED, UPDATED, LINKED] = [PatientRegisteredV1.type, PatientUpdatedV1.type, PatientLinkedV1.type];

describe('RegisterPatientUseCase', () => {
  let kit: PatientKit;
  beforeEach(() => {
    kit = patientKit();
  });

  const register = (body: RegisterPatientBody, actor: Actor = facilityActor(BACH_MAI), idempotencyKey?: string) =>
    kit.register.execute({ actor, body, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });

  const seed = (body: RegisterPatientBody, facility = BACH_MAI) => seedPatient(kit, facility, body);

  describe('who it registers for', () => {
    it('a facility token registers the patient for that facility: one patient, its link, one event, one audit row', async () => {
      const result = await register(ha());

      expect(result).toEqual({ enterprisePatientId: expect.any(String), outcome: 'created', warnings: [] });
      const id = result.enterprisePatientId;
      expect([...kit.patients.patients.keys()]).toEqual([id]);
      expect(kit.patients.linksOfNow(id)).toMatchObject([{ facilityCode: BACH_MAI, localId: 'BM-0001', patientId: id, originalPatientId: id }]);
      expect(kit.uow.events()).toEqual([
        {
          topic: Topics.identityPatientV1.name,
          key: id,
          type: REGISTERED,
          data: { enterprisePatientId: id, facilityCode: BACH_MAI, localId: 'BM-0001', outcome: 'created', sex: 2, birthYear: 1987, provinceCode: '01', identifierSystems: ['cccd'] },
        },
      ]);
      expect(kit.audit.rows).toMatchObject([{ action: 'patient.register', patientId: id, outcome: 'success', actorKind: 'facility', facilityCode: BACH_MAI, detail: { outcome: 'created' } }]);
    });

    it('keeps the CCCD encrypted and out of events and audit rows', async () => {
      await register(ha());
      const [stored] = [...kit.patients.identifiers.values()];
      expect(stored?.encrypted.ciphertext.includes(Buffer.from(CCCD))).toBe(false);
      expect(stored && kit.crypto.decrypt('cccd', stored.encrypted)).toBe(CCCD);
      const published = JSON.stringify([kit.uow.events(), kit.audit.rows]);
      expect(published).not.toContain(CCCD);
      expect(published).not.toContain('Nguyễn');
    });

    it('a service acting for a facility registers for that facility, and the audit row names both', async () => {
      const result = await register(ha(), serviceActor('lab-results-service', THANH_NHAN));

      expect(kit.patients.linksOfNow(result.enterprisePatientId)).toMatchObject([{ facilityCode: THANH_NHAN, localId: 'BM-0001' }]);
      expect(kit.uow.events()).toMatchObject([{ type: REGISTERED, data: { facilityCode: THANH_NHAN } }]);
      expect(kit.audit.rows).toMatchObject([{ actorKind: 'service', actingService: 'lab-results-service', facilityCode: THANH_NHAN }]);
    });

    it.each([
      ['a person', personActor('data-steward')],
      ['a service acting for nobody', serviceActor('lab-results-service')],
    ])('%s is refused (facility required) and nothing is written', async (_who, actor) => {
      await expect(register(ha(), actor)).rejects.toMatchObject({ code: IdentityErrorCode.FacilityRequired });
      expect(kit.patients.patients.size).toBe(0);
      expect(kit.uow.committed).toEqual([]);
    });

    it.each([
      ['a facility', facilityActor(BACH_MAI)],
      ['a service acting for it', serviceActor('lab-results-service', BACH_MAI)],
    ])('a body naming another facility than %s is refused (facility mismatch)', async (_who, actor) => {
      await expect(register(ha({ facilityCode: THANH_NHAN }), actor)).rejects.toMatchObject({ code: IdentityErrorCode.FacilityMismatch });
      expect(kit.patients.patients.size).toBe(0);
      expect(kit.uow.committed).toEqual([]);
    });

    it('accepts a body that names the acting facility itself', async () => {
      await expect(register(ha({ facilityCode: BACH_MAI }))).resolves.toMatchObject({ outcome: 'created' });
    });
  });

  it('an invalid registration is refused with every violation and queues nothing', async () => {
    const refused = register(ha({ birthDate: '1987-13-40', identifiers: [{ system: 'cccd', value: '12345' }] }));
    await expect(refused).rejects.toMatchObject({
      code: IdentityErrorCode.Validation,
      violations: expect.arrayContaining([expect.objectContaining({ pointer: '#/birthDate' }), expect.objectContaining({ pointer: '#/identifiers/0/value' })]),
    });
    expect(kit.uow.committed).toEqual([]);
    expect(kit.audit.rows).toEqual([]);
    expect(kit.patients.patients.size).toBe(0);
  });

  it('a registration whose event cannot be built leaves nothing behind (the patient rolls back with it)', async () => {
    // Not a facility code the contracts accept: the patient rows are written before the event is built.
    await expect(register(ha(), facilityActor('7990'))).rejects.toThrow(/facilityCode/);
    expect(kit.uow.rolledBack).toBe(1);
    expect(kit.patients.patients.size).toBe(0);
    expect(kit.patients.links.size).toBe(0);
    expect(kit.audit.rows).toEqual([]);
    expect(kit.uow.events()).toEqual([]);
  });

  describe('the same facility and local id again: an update', () => {
    it('updates the same patient and names only the fields that changed', async () => {
      const id = await seed(ha());

      const result = await register(ha({ phone: '0987654321', address: { provinceCode: '01', communeCode: '01043' } }));

      expect(result).toEqual({ enterprisePatientId: id, outcome: 'updated', warnings: [] });
      expect(kit.patients.patients.get(id)).toMatchObject({ phone: '987654321', communeCode: '01043', version: 2 });
      expect(kit.uow.events()).toEqual([
        { topic: Topics.identityPatientV1.name, key: id, type: UPDATED, data: { enterprisePatientId: id, facilityCode: BACH_MAI, localId: 'BM-0001', changedFields: ['address', 'phone'] } },
      ]);
      expect(kit.audit.rows).toMatchObject([{ action: 'patient.register', patientId: id, detail: { outcome: 'updated', changedFields: ['address', 'phone'] } }]);
    });

    it('an unchanged resubmission publishes nothing but is still audited', async () => {
      const id = await seed(ha());

      await expect(register(ha())).resolves.toMatchObject({ enterprisePatientId: id, outcome: 'updated' });

      expect(kit.uow.events()).toEqual([]);
      expect(kit.patients.patients.get(id)?.version).toBe(1);
      expect(kit.audit.rows).toMatchObject([{ patientId: id, detail: { outcome: 'updated', changedFields: [] } }]);
    });

    it('a new active CCCD from the same facility re-issues the one it reported before', async () => {
      const id = await seed(ha());

      await register(ha({ identifiers: [{ system: 'cccd', value: NEW_CCCD }] }));

      const cccds = kit.patients.identifiersOfNow([id]).map((i) => ({ value: kit.crypto.decrypt('cccd', i.encrypted), status: i.status }));
      expect(cccds).toEqual([
        { value: CCCD, status: 're-issued' },
        { value: NEW_CCCD, status: 'active' },
      ]);
      expect(kit.uow.events()).toMatchObject([{ type: UPDATED, data: { changedFields: ['identifiers'] } }]);
    });

    it('does not retire a CCCD another facility reported', async () => {
      const id = await seed(ha());
      await seed(ha({ localId: 'TN-77' }), THANH_NHAN);

      await register(ha({ localId: 'TN-77', identifiers: [{ system: 'cccd', value: NEW_CCCD }] }), facilityActor(THANH_NHAN));

      const statuses = kit.patients.identifiersOfNow([id]).map((i) => [i.sourceFacility, kit.crypto.decrypt('cccd', i.encrypted), i.status]);
      expect(statuses).toEqual([
        [BACH_MAI, CCCD, 'active'],
        [THANH_NHAN, NEW_CCCD, 'active'],
      ]);
    });

    it('a status the facility now reports differently is changed in place', async () => {
      const id = await seed(ha());

      await register(ha({ identifiers: [{ system: 'cccd', value: CCCD, status: 'cancelled' }] }));

      expect(kit.patients.identifiersOfNow([id]).map((i) => i.status)).toEqual(['cancelled']);
      expect(kit.uow.events()).toMatchObject([{ type: UPDATED, data: { changedFields: ['identifiers'] } }]);
    });
  });

  describe('another facility registers a known CCCD: a deterministic link', () => {
    it('links to the CCCD holder however the name is typed, adding only the identifiers it did not hold', async () => {
      const id = await seed(ha());

      const result = await register(
        ha({ localId: 'TN-77', fullName: 'NGUYEN THI THU HA', identifiers: [{ system: 'cccd', value: CCCD }, { system: 'bhyt', value: BHYT }] }),
        facilityActor(THANH_NHAN),
      );

      expect(result).toEqual({ enterprisePatientId: id, outcome: 'linked', warnings: [] });
      expect(kit.patients.patients.size).toBe(1);
      expect(kit.patients.linksOfNow(id).map((l) => [l.facilityCode, l.localId])).toEqual([
        [BACH_MAI, 'BM-0001'],
        [THANH_NHAN, 'TN-77'],
      ]);
      expect(kit.patients.identifiersOfNow([id]).map((i) => [i.system, i.sourceFacility])).toEqual([
        ['cccd', BACH_MAI],
        ['bhyt', THANH_NHAN],
      ]);
      expect(kit.uow.events()).toEqual([
        { topic: Topics.identityPatientV1.name, key: id, type: LINKED, data: { enterprisePatientId: id, facilityCode: THANH_NHAN, localId: 'TN-77', method: 'cccd', score: null } },
        expect.objectContaining({ key: id, type: REGISTERED, data: expect.objectContaining({ outcome: 'linked', identifierSystems: ['cccd', 'bhyt'] }) }),
      ]);
      expect(kit.audit.rows).toMatchObject([{ patientId: id, facilityCode: THANH_NHAN, detail: { outcome: 'linked', method: 'cccd' } }]);
    });

    it('registrations of one CCCD at two facilities take a common lock, so they cannot both create a patient', async () => {
      await register(ha());
      await register(ha({ localId: 'TN-77' }), facilityActor(THANH_NHAN));
      const [first, second] = kit.uow.committed;
      expect(first?.locks.some((lock) => second?.locks.includes(lock))).toBe(true);
    });
  });

  describe('another facility reports different values: it changes only its own source record', () => {
    const COMMUNE = '01001';
    /** Bạch Mai (specialised) verified Hà with her CCCD; a commune station (initial) links by the same CCCD, then re-posts someone else's values. */
    async function overwriteStory() {
      kit = patientKit({ levels: { [BACH_MAI]: 'specialised', [COMMUNE]: 'initial' } });
      const id = await seed(ha());
      await seed(ha({ localId: 'TYT-1', address: undefined }), COMMUNE);
      const result = await register(
        ha({ localId: 'TYT-1', fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1, phone: '0987654321', address: undefined }),
        facilityActor(COMMUNE),
      );
      return { id, result };
    }

    it('the shared record keeps the CCCD-verified values and the address; the station’s source record holds what it said', async () => {
      const { id, result } = await overwriteStory();

      expect(result).toMatchObject({ enterprisePatientId: id, outcome: 'updated' });
      // (The CCCD's own digit checks warn too: its digits say a woman born in 1987.)
      expect(result.warnings.filter((w) => w.rule.startsWith('source.')).map((w) => [w.pointer, w.rule])).toEqual([
        ['#/fullName', 'source.contradicts-cccd-verified'],
        ['#/birthDate', 'source.contradicts-cccd-verified'],
        ['#/sex', 'source.contradicts-cccd-verified'],
      ]);
      expect(kit.patients.patients.get(id)).toMatchObject({ fullName: 'Nguyễn Thị Thu Hà', sex: 2, birthDate: { year: 1987, month: 4, day: 9 }, phone: '912345678', provinceCode: '01', communeCode: '01042' });
      const station = kit.patients.sourcesOfNow(id).find((s) => s.facilityCode === COMMUNE);
      expect(station).toMatchObject({ demographics: { fullName: 'Trần Văn Bình', sex: 1, phone: '987654321' }, disputedFields: ['name', 'birthDate', 'sex'], cccdVerified: true });
      expect(kit.patients.history.map((h) => [h.facilityCode, h.demographics.fullName])).toEqual([
        [BACH_MAI, 'Nguyễn Thị Thu Hà'],
        [COMMUNE, 'Nguyễn Thị Thu Hà'],
        [COMMUNE, 'Trần Văn Bình'],
      ]);
      // Nothing everyone sees changed: no update event for other services.
      expect(kit.uow.events()).toEqual([]);
    });

    it('opens exactly one review item, however often the station re-sends the contradiction', async () => {
      const { id } = await overwriteStory();
      await register(ha({ localId: 'TYT-1', fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1, phone: '0987654321', address: undefined }), facilityActor(COMMUNE));
      await register(ha({ localId: 'TYT-1', fullName: 'Trần Văn Bình', birthDate: '1991', sex: 1, phone: '0987654321', address: undefined }), facilityActor(COMMUNE));

      const items = [...kit.reviews.items.values()];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'conflict', incomingPatientId: id, candidatePatientId: id, facilityCode: COMMUNE, localId: 'TYT-1', status: 'open' });
      expect(items[0]?.comparisons.map((c) => c.field)).toEqual(['name', 'birthDate', 'sex']);
    });

    it('a facility may change what it reported itself: the verified facility’s own correction wins', async () => {
      const { id } = await overwriteStory();
      await register(ha({ fullName: 'Nguyễn Thị Thu Hằng', phone: '0911111111' }));
      expect(kit.patients.patients.get(id)).toMatchObject({ fullName: 'Nguyễn Thị Thu Hằng', phone: '911111111', communeCode: '01042' });
    });
  });

  describe('no link and no known CCCD: blocking and the matcher decide', () => {
    /** Hà as a commune station sends her: no CCCD yet, her health insurance card. */
    const withCard = (patch: Partial<RegisterPatientBody> = {}) => ha({ localId: 'TYT-5', identifiers: [{ system: 'bhyt', value: BHYT }], ...patch });

    it('links probabilistically when the evidence is strong (same card, same demographics)', async () => {
      const id = await seed(withCard(), '01001');

      const result = await register(withCard({ localId: 'TN-77' }), facilityActor(THANH_NHAN));

      expect(result).toMatchObject({ enterprisePatientId: id, outcome: 'linked' });
      const [linked] = kit.uow.events();
      expect(linked).toMatchObject({ key: id, type: LINKED, data: { method: 'probabilistic', facilityCode: THANH_NHAN } });
      expect(linked?.data['score']).toBeGreaterThanOrEqual(22);
      expect(kit.patients.identifiersOfNow([id])).toHaveLength(1);
    });

    it('opens a review item for a probable duplicate and registers a new patient meanwhile', async () => {
      const candidate = await seed(withCard(), '01001');

      const result = await register(ha({ localId: 'TN-77', fullName: 'Nguyễn Thị Thu Haf', identifiers: [] }), facilityActor(THANH_NHAN));

      expect(result.outcome).toBe('review');
      expect(result.enterprisePatientId).not.toBe(candidate);
      expect(kit.patients.patients.size).toBe(2);
      const [item] = kit.reviews.items.values();
      expect(item).toMatchObject({ incomingPatientId: result.enterprisePatientId, candidatePatientId: candidate, facilityCode: THANH_NHAN, localId: 'TN-77', status: 'open' });
      // A given-name slip with no identifier to back it is capped at review, whatever its weight.
      expect(item?.score).toBeGreaterThanOrEqual(12);
      expect(item?.comparisons).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'givenName', outcome: 'close' })]));
      expect(kit.uow.events()).toMatchObject([{ key: result.enterprisePatientId, type: REGISTERED, data: { outcome: 'review' } }]);
    });

    it('creates a new patient when the best candidate is someone else with the same name', async () => {
      await seed(withCard(), '01001');

      const result = await register(
        ha({ localId: 'TN-77', birthDate: '1962', address: { provinceCode: '79', communeCode: '26734' }, phone: '0903111222', identifiers: [] }),
        facilityActor(THANH_NHAN),
      );

      expect(result.outcome).toBe('created');
      expect(kit.reviews.items.size).toBe(0);
      expect(kit.patients.patients.size).toBe(2);
    });

    it('never links a candidate holding a different active CCCD, however alike they are', async () => {
      const other = await seed(ha({ identifiers: [{ system: 'cccd', value: CCCD }, { system: 'bhyt', value: BHYT }] }));

      const result = await register(ha({ localId: 'TN-77', identifiers: [{ system: 'cccd', value: NEW_CCCD }, { system: 'bhyt', value: BHYT }] }), facilityActor(THANH_NHAN));

      expect(result.outcome).toBe('created');
      expect(result.enterprisePatientId).not.toBe(other);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer for the same request, writing and publishing nothing more', async () => {
      const first = await register(ha(), facilityActor(BACH_MAI), 'key-1');
      const eventsAfterFirst = kit.uow.events().length;

      const again = await register(ha(), facilityActor(BACH_MAI), 'key-1');

      expect(again).toEqual(first);
      expect(kit.patients.patients.size).toBe(1);
      expect(kit.uow.events()).toHaveLength(eventsAfterFirst);
      expect(kit.audit.rows).toHaveLength(1);
    });

    it('refuses the same key with a different request, leaving everything as it was', async () => {
      await register(ha(), facilityActor(BACH_MAI), 'key-1');

      await expect(register(ha({ phone: '0987654321' }), facilityActor(BACH_MAI), 'key-1')).rejects.toMatchObject({ code: IdentityErrorCode.IdempotencyConflict });

      expect(kit.patients.patients.size).toBe(1);
      // Stored in national form (no trunk 0): the first request's number, not the second's.
      expect([...kit.patients.patients.values()][0]?.phone).toBe('912345678');
      expect(kit.uow.events()).toHaveLength(1);
      expect(kit.audit.rows).toHaveLength(1);
    });

    it('a key is the facility’s own: another facility using the same key registers normally', async () => {
      await register(ha(), facilityActor(BACH_MAI), 'key-1');
      await expect(register(ha({ localId: 'TN-77' }), facilityActor(THANH_NHAN), 'key-1')).resolves.toMatchObject({ outcome: 'linked' });
    });
  });
  describe('a facility the registry marks sensitive is named on the restricted topic only', () => {
    /** Hanoi's HIV outpatient clinic, sensitive in the registry. */
    const HIV_CLINIC = '01907';
    const RESTRICTED = Topics.identityPatientRestrictedV1.name;
    const publicEvents = () => kit.uow.events().filter((e) => e.topic === Topics.identityPatientV1.name);
    beforeEach(() => {
      kit = patientKit({ sensitive: [HIV_CLINIC] });
    });

    it('a new patient there: one sensitive-link registration on the restricted topic, without demographics, and nothing public', async () => {
      const { enterprisePatientId: id } = await register(ha({ localId: 'HIV-0042' }), facilityActor(HIV_CLINIC));

      expect(kit.uow.events()).toEqual([
        { topic: RESTRICTED, key: id, type: SensitiveLinkRegisteredV1.type, data: { enterprisePatientId: id, facilityCode: HIV_CLINIC, localId: 'HIV-0042', outcome: 'created' } },
      ]);
    });

    it('a link there to a patient known elsewhere (by CCCD): linked and registered on the restricted topic, nothing public', async () => {
      const id = await seed(ha());

      await register(ha({ localId: 'HIV-0042' }), facilityActor(HIV_CLINIC));

      expect(kit.uow.events()).toEqual([
        { topic: RESTRICTED, key: id, type: SensitiveLinkLinkedV1.type, data: { enterprisePatientId: id, facilityCode: HIV_CLINIC, localId: 'HIV-0042', method: 'cccd', score: null } },
        { topic: RESTRICTED, key: id, type: SensitiveLinkRegisteredV1.type, data: { enterprisePatientId: id, facilityCode: HIV_CLINIC, localId: 'HIV-0042', outcome: 'linked' } },
      ]);
      expect(publicEvents()).toEqual([]);
    });

    it('an update there goes on the restricted topic; the same update from an ordinary facility stays public', async () => {
      const id = await seedPatient(kit, HIV_CLINIC, ha({ localId: 'HIV-0042' }));

      await register(ha({ localId: 'HIV-0042', phone: '0987654321' }), facilityActor(HIV_CLINIC));

      expect(kit.uow.events()).toEqual([
        { topic: RESTRICTED, key: id, type: SensitiveLinkUpdatedV1.type, data: { enterprisePatientId: id, facilityCode: HIV_CLINIC, localId: 'HIV-0042', changedFields: ['phone'] } },
      ]);

      await register(ha({ localId: 'TN-77', phone: '0987654321' }), facilityActor(THANH_NHAN));
      expect(publicEvents().map((e) => [e.type, e.data])).toEqual([
        [LINKED, expect.objectContaining({ facilityCode: THANH_NHAN })],
        [REGISTERED, expect.objectContaining({ facilityCode: THANH_NHAN })],
      ]);
      expect(JSON.stringify(publicEvents())).not.toContain(HIV_CLINIC);
      expect(JSON.stringify(publicEvents())).not.toContain('HIV-0042');
    });

    it('a replay of an idempotent registration there publishes nothing at all', async () => {
      await register(ha({ localId: 'HIV-0042' }), facilityActor(HIV_CLINIC), 'key-1');
      await register(ha({ localId: 'HIV-0042' }), facilityActor(HIV_CLINIC), 'key-1');
      expect(kit.uow.events().map((e) => e.type)).toEqual([SensitiveLinkRegisteredV1.type]);
    });
  });
});
