import { PatientMergedV1, PatientUnmergedV1, Topics } from '@lienthong/contracts';
import { collectMessages, expectEventually, uniqueName } from '@lienthong/testing';
import { countRows, createIdentityTestApp, facilityActor, type IdentityTestApp } from '../../test/identity-test-app';
import { IdentityError, IdentityErrorCode } from '../domain/identity-error';
import { type RegisterPatientBody } from './domain/registration-input';
import { CrossReferenceUseCase } from './use-cases/cross-reference/cross-reference.use-case';
import { GetPatientUseCase } from './use-cases/get-patient/get-patient.use-case';
import { MergePatientsUseCase } from './use-cases/merge-patients/merge-patients.use-case';
import { ReadAuditUseCase } from './use-cases/read-audit/read-audit.use-case';
import { RegisterPatientUseCase } from './use-cases/register-patient/register-patient.use-case';
import { DecideReviewItemUseCase } from './use-cases/review-queue/decide-review-item.use-case';
import { ListReviewItemsUseCase } from './use-cases/review-queue/list-review-items.use-case';
import { SearchPatientsUseCase } from './use-cases/search-patients/search-patients.use-case';
import { UnmergePatientsUseCase } from './use-cases/unmerge-patients/unmerge-patients.use-case';

// Fixed but unique per run: the serial part of a CCCD is random, so derive it from the run.
const RUN_BASE = Date.now() % 1_000_000;
const serial = (n: number) => String((RUN_BASE + n * 7919) % 1_000_000).padStart(6, '0');
const cccd = (n: number) => `079185${serial(n)}`; // HCMC-registered, female born 1985
const DISTRICT = '79010';
const PROVINCIAL = '79001';
const HIV_CLINIC = '79099';

describe('identity-service patients (real Postgres + Kafka)', () => {
  let t: IdentityTestApp;
  let register: RegisterPatientUseCase;
  let collector: Awaited<ReturnType<typeof collectMessages>>;

  beforeAll(async () => {
    t = await createIdentityTestApp();
    register = t.app.get(RegisterPatientUseCase);
    await t.dataSource.query(
      `INSERT INTO facilities (code, name, province_code, level, historical_tier, lab_quality_level, sensitive, synthetic, valid_from, version, updated_at)
       VALUES ($1, 'Trung tâm Y tế khu vực (synthetic)', '79', 'basic', 'district', '2', false, true, '2025-07-01', 1, now()),
              ($2, 'Bệnh viện tỉnh (synthetic)', '79', 'specialised', 'provincial', '3', false, true, '2025-07-01', 1, now()),
              ($3, 'Phòng khám HIV (synthetic)', '79', 'basic', 'district', 'unrated', true, true, '2025-07-01', 1, now())`,
      [DISTRICT, PROVINCIAL, HIV_CLINIC],
    );
    collector = await collectMessages([Topics.identityPatientV1.name], uniqueName('identity-int'));
  });

  afterAll(async () => {
    await collector?.stop();
    await t?.close();
  });

  const body = (localId: string, extra: Partial<RegisterPatientBody> = {}): RegisterPatientBody => ({
    localId,
    fullName: 'Nguyễn Thị Thu Hà',
    birthDate: '1985-03-14',
    sex: 2,
    address: { provinceCode: '79', communeCode: '26734' },
    phone: '0912 345 678',
    ...extra,
  });

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await t.dataSource.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('links the same CCCD at a district and a provincial hospital to one patient; PIX shows both, hides a sensitive facility', async () => {
    const id = cccd(1);
    const a = await register.execute({ actor: facilityActor(DISTRICT), body: body('D-1', { identifiers: [{ system: 'cccd', value: id }] }) });
    const b = await register.execute({ actor: facilityActor(PROVINCIAL), body: body('P-77', { fullName: 'NGUYEN THI THU HA', identifiers: [{ system: 'cccd', value: id }] }) });
    const c = await register.execute({ actor: facilityActor(HIV_CLINIC), body: body('H-3', { identifiers: [{ system: 'cccd', value: id }] }) });
    expect(a.outcome).toBe('created');
    expect(b).toEqual({ enterprisePatientId: a.enterprisePatientId, outcome: 'linked', warnings: [] });
    expect(c.enterprisePatientId).toBe(a.enterprisePatientId);

    const pix = t.app.get(CrossReferenceUseCase);
    const refs = await pix.execute(facilityActor(PROVINCIAL, { crossRef: true }), { by: 'identifier', identifier: { system: 'cccd', value: id, indexValue: id } });
    expect(refs).toHaveLength(1);
    expect(refs[0]?.links).toEqual([
      { facilityCode: DISTRICT, localId: 'D-1' },
      { facilityCode: PROVINCIAL, localId: 'P-77' },
    ]);
    const own = await pix.execute(facilityActor(HIV_CLINIC, { crossRef: true }), { by: 'local-id', facilityCode: HIV_CLINIC, localId: 'H-3' });
    expect(own[0]?.links.map((l) => l.facilityCode)).toContain(HIV_CLINIC);
    await expect(pix.execute(facilityActor(PROVINCIAL), { by: 'identifier', identifier: { system: 'cccd', value: id, indexValue: id } })).rejects.toMatchObject({
      code: IdentityErrorCode.CrossFacilityForbidden,
    });

    // Without the scope a facility sees only its own link, and its own CCCD value.
    const read = await t.app.get(GetPatientUseCase).execute(facilityActor(DISTRICT), a.enterprisePatientId);
    expect(read.view.links).toEqual([{ facilityCode: DISTRICT, localId: 'D-1' }]);
    expect(read.view.identifiers).toEqual([{ system: 'cccd', status: 'active', value: id }]);
    // A facility with no link and no scope is not told the patient exists; with the scope it sees the
    // patient, but not the value of a CCCD another facility reported.
    await expect(t.app.get(GetPatientUseCase).execute(facilityActor('79555'), a.enterprisePatientId)).rejects.toMatchObject({
      code: IdentityErrorCode.PatientNotFound,
    });
    const other = await t.app.get(GetPatientUseCase).execute(facilityActor('79555', { crossRef: true }), a.enterprisePatientId);
    expect(other.view.identifiers).toEqual([{ system: 'cccd', status: 'active' }]);
  });

  it('updates on the same facility + local id and is idempotent per Idempotency-Key', async () => {
    const actor = facilityActor(DISTRICT);
    const first = await register.execute({ actor, body: body('D-2', { identifiers: [{ system: 'cccd', value: cccd(2) }] }), idempotencyKey: 'k-2' });
    const again = await register.execute({ actor, body: body('D-2', { identifiers: [{ system: 'cccd', value: cccd(2) }] }), idempotencyKey: 'k-2' });
    expect(again).toEqual(first);
    await expect(register.execute({ actor, body: body('D-2', { phone: '0987654321' }), idempotencyKey: 'k-2' })).rejects.toMatchObject({
      code: IdentityErrorCode.IdempotencyConflict,
    });
    const updated = await register.execute({ actor, body: body('D-2', { phone: '0987654321', identifiers: [{ system: 'cccd', value: cccd(2) }] }) });
    expect(updated).toMatchObject({ enterprisePatientId: first.enterprisePatientId, outcome: 'updated' });
  });

  it('sends the same person without CCCD, with a typo and no diacritics, to review or links by the thresholds', async () => {
    const base = { fullName: 'Trần Văn Đức', birthDate: '1962-07-02', sex: 1 as const, address: { provinceCode: '79', communeCode: '26740' }, phone: '0903111222' };
    const first = await register.execute({ actor: facilityActor(DISTRICT), body: { localId: 'D-10', ...base, identifiers: [{ system: 'bhyt', value: 'HT2797900112233' }] } });
    const second = await register.execute({
      actor: facilityActor(PROVINCIAL),
      body: { localId: 'P-10', ...base, fullName: 'TRAN VAN DUC', phone: undefined, address: { provinceCode: '79' } },
    });
    const typo = await register.execute({ actor: facilityActor('79020'), body: { localId: 'X-10', ...base, fullName: 'Tran Van Duk' } });
    // No diacritics, upper case, no phone, same birth date, sex, province and BHYT-less: strong enough to link.
    expect(second).toMatchObject({ outcome: 'linked', enterprisePatientId: first.enterprisePatientId });
    // A one-letter typo in the given name is never linked automatically (a namesake risk): review.
    expect(typo.outcome).toBe('review');
    expect(typo.enterprisePatientId).not.toBe(first.enterprisePatientId);
    const stranger = await register.execute({ actor: facilityActor(PROVINCIAL), body: { localId: 'P-11', fullName: 'Lê Thị Mai', birthDate: '1990-01-20', sex: 2 } });
    expect(stranger.outcome).toBe('created');
  });

  it('confirms a review item by merging the new record into the candidate', async () => {
    const steward = facilityActor(PROVINCIAL, { subject: 'steward-1' });
    const a = await register.execute({ actor: facilityActor(DISTRICT), body: { localId: 'D-20', fullName: 'Phạm Minh Tuấn', birthDate: '1978', sex: 1, address: { provinceCode: '79' } } });
    const b = await register.execute({ actor: facilityActor(PROVINCIAL), body: { localId: 'P-20', fullName: 'Pham Minh Tuan', birthDate: '1978', sex: 1, address: { provinceCode: '79' } } });
    // Year-only birth date, no identifiers: a probable match, not a certain one.
    expect(b.outcome).toBe('review');
    const items = await t.app.get(ListReviewItemsUseCase).execute(steward, { limit: 50 });
    const item = items.items.find((i) => i.incomingPatientId === b.enterprisePatientId);
    expect(item?.candidatePatientId).toBe(a.enterprisePatientId);
    const decided = await t.app.get(DecideReviewItemUseCase).execute(steward, item?.id ?? '', 'confirm');
    expect(decided).toMatchObject({ status: 'confirmed', enterprisePatientId: a.enterprisePatientId });
  });

  it('merges with exactly one event and unmerges back to both patients and their links', async () => {
    const steward = facilityActor(PROVINCIAL, { subject: 'steward-2' });
    const a = await register.execute({ actor: facilityActor(DISTRICT), body: { localId: 'D-30', fullName: 'Võ Thị Lan', birthDate: '1950', sex: 2 } });
    const b = await register.execute({ actor: facilityActor(PROVINCIAL), body: { localId: 'P-30', fullName: 'Bùi Văn Nam', birthDate: '1999-09-09', sex: 1, identifiers: [{ system: 'cccd', value: `079099${serial(30)}` }] } });
    const merge = await t.app.get(MergePatientsUseCase).execute({ actor: steward, survivorId: a.enterprisePatientId, mergedId: b.enterprisePatientId });
    expect(merge.movedLinks).toEqual([{ facilityCode: PROVINCIAL, localId: 'P-30' }]);

    const redirected = await t.app.get(GetPatientUseCase).execute(facilityActor(PROVINCIAL), b.enterprisePatientId);
    expect(redirected.view).toMatchObject({ enterprisePatientId: a.enterprisePatientId, redirectedFrom: b.enterprisePatientId });

    const undone = await t.app.get(UnmergePatientsUseCase).execute(steward, merge.mergeId);
    expect(undone.restoredLinks).toEqual([{ facilityCode: PROVINCIAL, localId: 'P-30' }]);
    const back = await t.app.get(SearchPatientsUseCase).execute(facilityActor(PROVINCIAL), { by: 'local-id', facilityCode: PROVINCIAL, localId: 'P-30' });
    expect(back.items.map((p) => p.enterprisePatientId)).toEqual([b.enterprisePatientId]);

    await expectEventually(() => {
      const ofMerge = collector.messages.filter((m) => m.message.value?.toString().includes(merge.mergeId));
      expect(ofMerge.map((m) => m.message.headers?.['ce_type']?.toString())).toEqual([PatientMergedV1.type, PatientUnmergedV1.type]);
      expect(ofMerge.every((m) => m.message.key?.toString() === a.enterprisePatientId)).toBe(true);
    });
  });

  it('never creates two patients for concurrent registrations of the same CCCD', async () => {
    const id = cccd(40);
    const results = await Promise.all(
      ['79010', '79001', '79020', '79030', '79040', '79050'].map((f, i) =>
        register.execute({ actor: facilityActor(f), body: body(`C-${i}`, { identifiers: [{ system: 'cccd', value: id }] }) }),
      ),
    );
    expect(new Set(results.map((r) => r.enterprisePatientId)).size).toBe(1);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
  });

  it('rejects an invalid CCCD naming the field and rule, writing nothing', async () => {
    const tables = ['patients', 'patient_identifiers', 'facility_links', 'outbox', 'audit_log', 'review_items', 'idempotency_keys'];
    // The in-process relay deletes published outbox rows: let it drain earlier tests' events first,
    // so a changed count can only come from this test.
    await expectEventually(async () => expect(await countRows(t.dataSource, 'outbox')).toBe(0), { timeoutMs: 30_000 });
    const before = await Promise.all(tables.map((tb) => countRows(t.dataSource, tb)));
    const error = await register
      .execute({ actor: facilityActor(DISTRICT), body: body('D-bad', { identifiers: [{ system: 'cccd', value: '003185000001' }] }), idempotencyKey: 'bad' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).violations).toEqual([expect.objectContaining({ pointer: '#/identifiers/0/value', rule: 'cccd.province-code' })]);
    const format = await register.execute({ actor: facilityActor(DISTRICT), body: body('D-bad', { identifiers: [{ system: 'cccd', value: '07918500' }] }) }).catch((e: unknown) => e);
    expect((format as IdentityError).violations[0]).toMatchObject({ pointer: '#/identifiers/0/value', rule: 'cccd.format' });
    await expect(register.execute({ actor: facilityActor(DISTRICT), body: body('D-bad', { facilityCode: PROVINCIAL }) })).rejects.toMatchObject({
      code: IdentityErrorCode.FacilityMismatch,
    });
    expect(await Promise.all(tables.map((tb) => countRows(t.dataSource, tb)))).toEqual(before);
  });

  it('accepts a CCCD whose digits disagree with sex/birth year, with warnings', async () => {
    const r = await register.execute({ actor: facilityActor(DISTRICT), body: body('D-50', { sex: 1, birthDate: '1990', identifiers: [{ system: 'cccd', value: cccd(50) }] }) });
    expect(r.warnings.map((w) => w.rule).sort()).toEqual(['cccd.birth-year-mismatch', 'cccd.century-sex-mismatch']);
  });

  it('audits every read and write in an append-only log', async () => {
    const actor = facilityActor(DISTRICT);
    const r = await register.execute({ actor, body: body('D-60', { identifiers: [{ system: 'cccd', value: cccd(60) }] }) });
    await t.app.get(GetPatientUseCase).execute(actor, r.enterprisePatientId);
    await t.app.get(SearchPatientsUseCase).execute(actor, { by: 'identifier', identifier: { system: 'cccd', value: cccd(60), indexValue: cccd(60) } });
    const audit = await t.app.get(ReadAuditUseCase).execute(facilityActor(DISTRICT, { subject: 'auditor' }), r.enterprisePatientId, { limit: 10 });
    expect(audit.items.map((i) => i.action).reverse()).toEqual(['patient.register', 'patient.read', 'patient.search']);
    expect(audit.items.every((i) => i.facilityCode === DISTRICT && i.purposeOfUse === 'treatment' && i.requestId !== null)).toBe(true);
    await expect(t.dataSource.query(`UPDATE audit_log SET outcome = 'error'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    const stored: { detail: unknown }[] = await t.dataSource.query(`SELECT detail FROM audit_log`);
    expect(JSON.stringify(stored)).not.toContain(cccd(60));
  });

  it('publishes events keyed by enterprise id with no CCCD anywhere on the topic', async () => {
    const secrets = [1, 2, 40, 50, 60].map(cccd);
    // The relay deletes what Kafka acknowledged: an empty outbox means everything reached the topic.
    await expectEventually(async () => expect(await countRows(t.dataSource, 'outbox')).toBe(0), { timeoutMs: 30_000 });
    await expectEventually(() => expect(collector.messages.length).toBeGreaterThan(10));
    for (const m of collector.messages) {
      const text = [m.message.key?.toString() ?? '', m.message.value?.toString() ?? '', ...Object.values(m.message.headers ?? {}).map((h) => String(h))].join(' ');
      for (const s of secrets) expect(text).not.toContain(s);
    }
    const encrypted: { v: Buffer }[] = await t.dataSource.query(`SELECT value_ciphertext AS v FROM patient_identifiers`);
    for (const row of encrypted) for (const s of secrets) expect(row.v.includes(Buffer.from(s))).toBe(false);
  });
});
