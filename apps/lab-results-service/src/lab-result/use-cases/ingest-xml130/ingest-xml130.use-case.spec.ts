import { type FacilityActor, type PersonActor } from '@lienthong/platform';
import { LabResultErrorCode } from '../../domain/lab-result-error';
import { FakeIdentity, InMemoryPatientResolutions, ingestKit } from '../../testing/ingest-fakes';
import { CODES, labVisit, PATIENTS, syntheticPatient, type SyntheticPatient, xml130File, xml1, xml3, xml4 } from '../../testing/xml130-visits';
import { VISITS_IN_FLIGHT } from './ingest-xml130.use-case';

const DONG_DA = '01903';
const PERFORMED = new Date('2026-11-20T01:15:00Z');
const his = (facilityCode: string): FacilityActor => ({ kind: 'facility', facilityCode, subject: `his-${facilityCode}`, scopes: ['system/Observation.c'], purposeOfUse: 'treatment' });
const FINALIZED = 'vn.lienthong.lab.result.finalized';
const AMENDED = 'vn.lienthong.lab.result.amended';
const CANCELLED = 'vn.lienthong.lab.result.cancelled';

describe('IngestXml130UseCase', () => {
  it('stores each good visit with its results and events, rejects the bad one with its errors and writes nothing of it', async () => {
    const kit = ingestKit();
    const bad = labVisit(DONG_DA, 'DD.0002', PATIENTS.minh, PERFORMED);
    const file = xml130File(DONG_DA, [
      labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED),
      { ...bad, xml4: [...(bad.xml4 ?? []), xml4('DD.0002', 6, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '5', NGAY_KQ: '202502300930' })] },
      labVisit(DONG_DA, 'DD.0003', PATIENTS.lan, PERFORMED),
    ]);

    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file });

    expect(answer.visits.map((v) => [v.index, v.maLk, v.outcome, v.results.new])).toEqual([
      [0, 'DD.0001', 'stored', 5],
      [1, 'DD.0002', 'rejected', 0],
      [2, 'DD.0003', 'stored', 5],
    ]);
    expect(answer.visits[1]?.errors).toEqual([expect.objectContaining({ pointer: '#/visits/1/xml4/5/NGAY_KQ', rule: 'impossible-date', severity: 'error' })]);
    expect(kit.visits.byMaLk('DD.0002')).toBeUndefined();
    expect([...kit.results.current.values()].map((r) => r.maLk)).not.toContain('DD.0002');
    expect(kit.results.current.size).toBe(10);
    const events = kit.uow.events();
    expect(events).toHaveLength(10);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set([FINALIZED]));
    // Keyed by the enterprise patient id, never the CCCD; the CCCD is nowhere in the events.
    expect(new Set(events.map((e) => e.key))).toEqual(new Set([FakeIdentity.idOf({ identifiers: [{ system: 'cccd', value: PATIENTS.ha.cccd }] } as never), FakeIdentity.idOf({ identifiers: [{ system: 'cccd', value: PATIENTS.lan.cccd }] } as never)]));
    expect(JSON.stringify(events)).not.toContain(PATIENTS.ha.cccd);
    // Resolved visits keep no demographics.
    expect(kit.visits.byMaLk('DD.0001')).toMatchObject({ status: 'resolved', demographics: null });
    // identity was asked as the facility, with XML1's patient.
    expect(kit.identity.calls[0]).toMatchObject({ facilityCode: DONG_DA, demographics: { localId: PATIENTS.ha.maBn, fullName: PATIENTS.ha.hoTen, birthDate: '1985-03-14', sex: 2, identifiers: [{ system: 'cccd', value: PATIENTS.ha.cccd }] } });
    // Audited per visit, without CCCD, names or values.
    expect(kit.audit.entries.filter((e) => e.outcome === 'stored')).toHaveLength(2);
    expect(kit.audit.entries.find((e) => e.outcome === 'rejected')).toMatchObject({ action: 'lab-result.ingest', patientId: null, detail: { rules: ['impossible-date'] } });
    expect(JSON.stringify(kit.audit.entries)).not.toMatch(new RegExp(`${PATIENTS.ha.cccd}|${PATIENTS.ha.hoTen}|5,6`));
  });

  it('the same file again changes nothing: unchanged, no event, identity not asked', async () => {
    const kit = ingestKit();
    const file = xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED)]);
    await kit.ingest.execute({ actor: his(DONG_DA), file });
    const [events, calls, versions] = [kit.uow.events().length, kit.identity.calls.length, kit.results.versions.length];

    const again = await kit.ingest.execute({ actor: his(DONG_DA), file });

    expect(again.visits).toEqual([expect.objectContaining({ outcome: 'unchanged', results: { new: 0, amended: 0, cancelled: 0, unchanged: 5 } })]);
    expect([kit.uow.events().length, kit.identity.calls.length, kit.results.versions.length]).toEqual([events, calls, versions]);
  });

  it('a corrected value is the next version (amended); a line left out is cancelled', async () => {
    const kit = ingestKit();
    await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED)]) });
    const corrected = labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED, { glucose: '6,1' });

    const amended = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [corrected]) });
    expect(amended.visits[0]).toMatchObject({ outcome: 'stored', results: { new: 0, amended: 1, cancelled: 0, unchanged: 4 } });
    const amendedEvent = kit.uow.events().find((e) => e.type === AMENDED);
    expect(amendedEvent?.data).toMatchObject({ version: 2, status: 'amended', value: { kind: 'quantity', value: 6.1 }, test: { catalogueCode: 'GLU' } });

    const withoutHbsag = { ...corrected, xml4: corrected.xml4?.slice(0, 4) };
    const cancelled = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [withoutHbsag]) });
    expect(cancelled.visits[0]).toMatchObject({ outcome: 'stored', results: { new: 0, amended: 0, cancelled: 1, unchanged: 4 } });
    expect(kit.uow.events().filter((e) => e.type === CANCELLED).map((e) => e.data)).toEqual([expect.objectContaining({ version: 2, status: 'cancelled', test: expect.objectContaining({ catalogueCode: 'HBSAG' }) })]);
  });

  it('a visit of another facility (XML1 MA_CSKCB) is rejected with a pointer to it', async () => {
    const kit = ingestKit();
    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [labVisit('01904', 'SS.0001', PATIENTS.ha, PERFORMED)]) });
    expect(answer.visits[0]).toMatchObject({ outcome: 'rejected', errors: [expect.objectContaining({ pointer: '#/visits/0/xml1/MA_CSKCB', rule: 'facility-mismatch' })] });
    expect(kit.identity.calls).toHaveLength(0);
    expect(kit.visits.rows.size).toBe(0);
  });

  it('identity down: the visit waits (pending-patient) with its demographics sealed, and the worker stores it once identity answers', async () => {
    const kit = ingestKit();
    kit.identity.next.push({ kind: 'unavailable', reason: 'identity timeout after 2000 ms' });
    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED)]) });

    expect(answer.visits[0]).toMatchObject({ outcome: 'pending-patient', results: { new: 0 } });
    const waiting = kit.visits.byMaLk('DD.0001');
    expect(waiting).toMatchObject({ status: 'pending-patient', lastError: 'identity timeout after 2000 ms' });
    expect(kit.vault.open(waiting?.demographics as Buffer, `${DONG_DA}\u0000DD.0001`)).toMatchObject({ identifiers: [{ system: 'cccd', value: PATIENTS.ha.cccd }] });
    expect(JSON.stringify(waiting?.lines)).not.toContain(PATIENTS.ha.cccd);
    expect(kit.results.current.size).toBe(0);

    // Not due yet: nothing claimed.
    expect((await kit.resolvePending.execute(25, new Date())).claimed).toBe(0);
    const pass = await kit.resolvePending.execute(25, new Date(Date.now() + 60_000));
    expect(pass).toEqual({ claimed: 1, outcomes: { stored: 1, unchanged: 0, 'pending-patient': 0, rejected: 0 } });
    expect(kit.uow.events().filter((e) => e.type === FINALIZED)).toHaveLength(5);
    expect(kit.visits.byMaLk('DD.0001')).toMatchObject({ status: 'resolved', demographics: null });
    const report = await kit.getSubmission.execute(his(DONG_DA), answer.submissionId);
    expect(report.visits).toEqual([expect.objectContaining({ outcome: 'stored', results: { new: 5, amended: 0, cancelled: 0, unchanged: 0 } })]);
    // The worker audits as the service acting for the facility.
    expect(kit.audit.entries.find((e) => e.outcome === 'stored')?.actor).toMatchObject({ kind: 'service', service: 'lab-results-service', actingForFacility: DONG_DA });
  });

  it('identity refuses the patient (4xx): the visit is rejected with identity’s reasons pointing into XML1, its demographics dropped', async () => {
    const kit = ingestKit();
    kit.identity.next.push({ kind: 'refused', status: 422, detail: 'the registration is invalid', violations: [{ pointer: '#/identifiers/0/value', rule: 'cccd.checksum', message: 'not a valid CCCD' }] });
    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED), labVisit(DONG_DA, 'DD.0002', PATIENTS.minh, PERFORMED)]) });

    expect(answer.visits.map((v) => v.outcome)).toEqual(['rejected', 'stored']);
    expect(answer.visits[0]?.errors).toEqual([{ pointer: '#/visits/0/xml1/SO_CCCD', rule: 'identity.cccd.checksum', message: 'not a valid CCCD', severity: 'error' }]);
    expect(kit.visits.byMaLk('DD.0001')).toMatchObject({ status: 'rejected', demographics: null });
    const report = await kit.getSubmission.execute(his(DONG_DA), answer.submissionId);
    expect(report.visits[0]).toMatchObject({ outcome: 'rejected', errors: [expect.objectContaining({ pointer: '#/visits/0/xml1/SO_CCCD' })] });
  });

  it('a body that is not XML: an unreadable-file error with the position, and nothing written', async () => {
    const kit = ingestKit();
    const error = await kit.ingest.execute({ actor: his(DONG_DA), file: 'MA_LK;HO_TEN\nDD.0001;Nguyễn Thị Thu Hà\n' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: LabResultErrorCode.UnreadableFile, extensions: { line: 3, column: expect.any(Number), submissionId: null } }); // where the parser gave up: the end, no root element
    expect(kit.uow.commits()).toBe(0);
  });

  it('a file cut off after its first visit keeps that visit and says where it stopped', async () => {
    const kit = ingestKit();
    const whole = xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED), labVisit(DONG_DA, 'DD.0002', PATIENTS.minh, PERFORMED)]);
    const cut = whole.slice(0, whole.lastIndexOf('<HOSO>') + 40);
    const error = await kit.ingest.execute({ actor: his(DONG_DA), file: cut }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: LabResultErrorCode.UnreadableFile, extensions: { visits: [expect.objectContaining({ maLk: 'DD.0001', outcome: 'stored' })] } });
    expect(kit.visits.byMaLk('DD.0001')?.status).toBe('resolved');
  });

  it('a visit with results for a service never ordered is still stored, with a warning', async () => {
    const kit = ingestKit();
    const visit = {
      xml1: xml1(DONG_DA, 'DD.0009', PATIENTS.ha),
      xml3: [xml3('DD.0009', 1, CODES.glucose.service, PERFORMED)],
      xml4: [xml4('DD.0009', 1, CODES.creatinine.service, { MA_CHI_SO: CODES.creatinine.indicator, GIA_TRI: '90', DON_VI_DO: 'µmol/L', NGAY_KQ: PERFORMED })],
    };
    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [visit]) });
    expect(answer.visits[0]).toMatchObject({ outcome: 'stored', errors: [expect.objectContaining({ pointer: '#/visits/0/xml4/0/MA_DICH_VU', rule: 'no-service-row', severity: 'warning' })] });
  });

  it('a person speaks for no facility', async () => {
    const kit = ingestKit();
    const analyst: PersonActor = { kind: 'person', role: 'ministry-analyst', subject: 'analyst', scopes: [], purposeOfUse: 'treatment' };
    await expect(kit.ingest.execute({ actor: analyst, file: xml130File(DONG_DA, []) })).rejects.toMatchObject({ extensions: { reason: 'facility-required' } });
  });

  it('a submission is only its facility’s to read', async () => {
    const kit = ingestKit();
    const answer = await kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED)]) });
    await expect(kit.getSubmission.execute(his('01904'), answer.submissionId)).rejects.toMatchObject({ code: LabResultErrorCode.NotFound });
  });
});

describe('IngestXml130UseCase — a patient already known', () => {
  const idOf = (p: SyntheticPatient) => FakeIdentity.idOf({ identifiers: [{ system: 'cccd', value: p.cccd }] } as never);
  /** A visit of `patient` whose XML1 says something else too (a new address, say). */
  const visitWith = (maLk: string, patient: SyntheticPatient, xml1Fields: Record<string, string>, glucose?: string) => ({
    ...labVisit(DONG_DA, maLk, patient, PERFORMED, glucose === undefined ? {} : { glucose }),
    xml1: xml1(DONG_DA, maLk, patient, xml1Fields),
  });
  const upload = (kit: ReturnType<typeof ingestKit>, ...visits: ReturnType<typeof labVisit>[]) => kit.ingest.execute({ actor: his(DONG_DA), file: xml130File(DONG_DA, visits) });

  it('the next visit with the same demographics resolves without identity: one unit of work, nothing sealed, stored, announced and audited', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    expect(kit.identity.calls).toHaveLength(1);
    const [commits, events] = [kit.uow.commits('run'), kit.uow.events().length];

    const answer = await upload(kit, labVisit(DONG_DA, 'DD.0002', PATIENTS.ha, PERFORMED));

    expect(answer.visits).toEqual([expect.objectContaining({ maLk: 'DD.0002', outcome: 'stored', results: { new: 5, amended: 0, cancelled: 0, unchanged: 0 } })]);
    expect(kit.identity.calls).toHaveLength(1);
    // One unit of work for the visit (the file's submission row is one statement of its own), its demographics never sealed.
    expect(kit.uow.commits('run') - commits).toBe(1);
    expect(kit.visits.byMaLk('DD.0002')).toMatchObject({ status: 'resolved', enterprisePatientId: idOf(PATIENTS.ha), demographics: null, nextAttemptAt: null });
    const announced = kit.uow.events().slice(events);
    expect(announced.map((e) => [e.type, e.key])).toEqual(Array(5).fill([FINALIZED, idOf(PATIENTS.ha)]));
    expect(kit.audit.entries.at(-1)).toMatchObject({ action: 'lab-result.ingest', patientId: idOf(PATIENTS.ha), outcome: 'stored', detail: { resolvedBy: 'known-patient', new: 5 } });
    expect((await kit.getSubmission.execute(his(DONG_DA), answer.submissionId)).visits).toEqual([expect.objectContaining({ outcome: 'stored' })]);
    // What is kept of the patient is the answer and a digest, never the demographics.
    expect(JSON.stringify([...kit.resolutions.rows.values()])).not.toMatch(new RegExp(`${PATIENTS.ha.cccd}|${PATIENTS.ha.hoTen}`));
  });

  it('changed demographics (a new address) reach identity; the visits after them resolve locally again', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    const moved = { DIA_CHI: 'Số 8 ngõ Văn Chương, Hà Nội' };

    const changed = await upload(kit, visitWith('DD.0002', PATIENTS.ha, moved));
    expect(changed.visits[0]).toMatchObject({ outcome: 'stored' });
    expect(kit.identity.calls).toHaveLength(2);
    expect(kit.identity.calls[1]?.demographics.address).toEqual({ provinceCode: '01', line: moved.DIA_CHI });

    await upload(kit, visitWith('DD.0003', PATIENTS.ha, moved));
    expect(kit.identity.calls).toHaveLength(2);
    // The old address is no longer what identity was last sent.
    await upload(kit, labVisit(DONG_DA, 'DD.0004', PATIENTS.ha, PERFORMED));
    expect(kit.identity.calls).toHaveLength(3);
  });

  it('a resubmitted visit with changed demographics reaches identity; a corrected value alone does not', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    const corrected = await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED, { glucose: '6,1' }));
    expect(corrected.visits[0]).toMatchObject({ outcome: 'stored', results: { amended: 1, unchanged: 4 } });
    expect(kit.identity.calls).toHaveLength(1);

    const renamed = await upload(kit, visitWith('DD.0001', PATIENTS.ha, { HO_TEN: 'Nguyễn Thu Hà', DIEN_THOAI: '0912345678' }, '6,1'));
    expect(renamed.visits[0]).toMatchObject({ outcome: 'unchanged', results: { unchanged: 5 } });
    expect(kit.identity.calls).toHaveLength(2);
    expect(kit.identity.calls[1]?.demographics).toMatchObject({ fullName: 'Nguyễn Thu Hà', phone: '0912345678' });
  });

  it('identity’s word moved since — the patient merged into another, or the registry’s link names another — identity is asked', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    kit.resolutions.merged.add(idOf(PATIENTS.ha));
    await upload(kit, labVisit(DONG_DA, 'DD.0002', PATIENTS.ha, PERFORMED));
    expect(kit.identity.calls).toHaveLength(2);

    kit.resolutions.merged.clear();
    kit.resolutions.links.set(InMemoryPatientResolutions.key({ facilityCode: DONG_DA, localId: PATIENTS.ha.maBn }), idOf(PATIENTS.minh));
    await upload(kit, labVisit(DONG_DA, 'DD.0003', PATIENTS.ha, PERFORMED));
    expect(kit.identity.calls).toHaveLength(3);
    kit.resolutions.links.clear();
    await upload(kit, labVisit(DONG_DA, 'DD.0004', PATIENTS.ha, PERFORMED));
    expect(kit.identity.calls).toHaveLength(3);
  });

  it('the same MA_BN at another facility is another facility’s patient: identity is asked', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    await kit.ingest.execute({ actor: his('01904'), file: xml130File('01904', [labVisit('01904', 'SS.0001', PATIENTS.ha, PERFORMED)]) });
    expect(kit.identity.calls.map((c) => c.facilityCode)).toEqual([DONG_DA, '01904']);
  });

  it('identity down: a known patient’s visit is stored all the same, a new patient’s waits', async () => {
    const kit = ingestKit();
    await upload(kit, labVisit(DONG_DA, 'DD.0001', PATIENTS.ha, PERFORMED));
    kit.identity.fallback = { kind: 'unavailable', reason: 'identity unreachable: ECONNREFUSED' };
    const answer = await upload(kit, labVisit(DONG_DA, 'DD.0002', PATIENTS.ha, PERFORMED), labVisit(DONG_DA, 'DD.0003', PATIENTS.lan, PERFORMED));
    expect(answer.visits.map((v) => [v.maLk, v.outcome])).toEqual([
      ['DD.0002', 'stored'],
      ['DD.0003', 'pending-patient'],
    ]);
    // Resolved by the retry worker once identity is back: its answer is kept for the next visit.
    kit.identity.fallback = 'resolve';
    await kit.resolvePending.execute(25, new Date(Date.now() + 60_000));
    const calls = kit.identity.calls.length;
    expect((await upload(kit, labVisit(DONG_DA, 'DD.0004', PATIENTS.lan, PERFORMED))).visits[0]?.outcome).toBe('stored');
    expect(kit.identity.calls).toHaveLength(calls);
  });

  it(`works on up to ${VISITS_IN_FLIGHT} visits at once, answers in file order, and applies two visits of one MA_LK in file order`, async () => {
    const kit = ingestKit();
    const releases: (() => void)[] = [];
    kit.identity.latency = () => new Promise<void>((resolve) => releases.push(resolve));
    // Answer the calls in reverse order of arrival, as they pile up.
    const drain = setInterval(() => releases.splice(0).reverse().forEach((release) => release()), 5);
    try {
      const people = Array.from({ length: 7 }, (_, i) => syntheticPatient(900 + i));
      const visits = people.map((p, i) => labVisit(DONG_DA, `DD.${i}`, p, PERFORMED));
      // Visit 0 again at the end, corrected: it waits for the first one, then amends it (its patient known by then).
      const answer = await upload(kit, ...visits, labVisit(DONG_DA, 'DD.0', people[0] as SyntheticPatient, PERFORMED, { glucose: '6,1' }));

      expect(answer.visits.map((v) => [v.index, v.maLk, v.outcome, v.results.new, v.results.amended])).toEqual([
        ...people.map((_, i) => [i, `DD.${i}`, 'stored', 5, 0]),
        [7, 'DD.0', 'stored', 0, 1],
      ]);
      expect(kit.identity.maxConcurrent).toBe(VISITS_IN_FLIGHT);
      expect(kit.identity.calls).toHaveLength(7);
      const glucose = [...kit.results.current.values()].find((r) => r.maLk === 'DD.0' && r.result.test.catalogueCode === 'GLU');
      expect(glucose).toMatchObject({ version: 2, status: 'amended', result: { value: { value: 6.1 } } });
    } finally {
      clearInterval(drain);
    }
  });
});
