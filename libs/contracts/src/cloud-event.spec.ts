import { z } from 'zod';
import { decodeCloudEvent, encodeCloudEvent, EnvelopeError } from './cloud-event';
import { buildEvent, defineEvent, EventRegistry, EventValidationError, parseEventData } from './event-definition';
import { dlqTopicFor, Topics, topicsWithDlq } from './topics';

const sampleEvent = defineEvent({
  type: 'vn.lienthong.sample.thing.created',
  topic: Topics.identityPatientV1,
  schema: z.object({ enterprisePatientId: z.uuid(), note: z.string().max(20) }),
  keyOf: (d) => d.enterprisePatientId,
});

const patientId = '01920000-0000-7000-8000-000000000001';

describe('CloudEvents binary mode', () => {
  it('round-trips attributes, data and trace context through Kafka headers', () => {
    const { event, key } = buildEvent(sampleEvent, { enterprisePatientId: patientId, note: 'xin chào' }, {
      source: '/lienthong/test',
    });
    const record = encodeCloudEvent(event, key, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(record.key).toBe(patientId);
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'vn.lienthong.sample.thing.created',
      ce_subject: patientId,
      'content-type': 'application/json',
    });
    const decoded = decodeCloudEvent({ headers: record.headers, value: record.value });
    expect(decoded).toMatchObject({ ...event, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  });

  it('names the missing attribute when a header is absent', () => {
    const record = encodeCloudEvent(buildEvent(sampleEvent, { enterprisePatientId: patientId, note: 'x' }, { source: '/t' }).event, patientId);
    delete record.headers['ce_id'];
    expect(() => decodeCloudEvent(record)).toThrow(/id/);
  });

  it('rejects data that is not JSON with an EnvelopeError', () => {
    const record = encodeCloudEvent(buildEvent(sampleEvent, { enterprisePatientId: patientId, note: 'x' }, { source: '/t' }).event, patientId);
    expect(() => decodeCloudEvent({ ...record, value: Buffer.from('{not json') })).toThrow(EnvelopeError);
  });
});

describe('event definitions', () => {
  it('refuses data that breaks the schema, listing each field', () => {
    expect(() => parseEventData(sampleEvent, { enterprisePatientId: 'nope', note: 'x'.repeat(30) })).toThrow(EventValidationError);
    try {
      parseEventData(sampleEvent, { enterprisePatientId: 'nope', note: 'x'.repeat(30) });
    } catch (error) {
      expect((error as EventValidationError).issues.map((i) => i.path)).toEqual(['enterprisePatientId', 'note']);
    }
  });

  it('refuses a type name outside the vn.lienthong namespace', () => {
    expect(() => defineEvent({ ...sampleEvent, type: 'PatientCreated' })).toThrow(/vn\.lienthong/);
  });

  it('refuses a registry with the same type twice', () => {
    expect(() => new EventRegistry([sampleEvent, sampleEvent])).toThrow(/twice/);
  });

  it('gives ids that sort by creation time', () => {
    const a = buildEvent(sampleEvent, { enterprisePatientId: patientId, note: 'a' }, { source: '/t', time: new Date(1) });
    const b = buildEvent(sampleEvent, { enterprisePatientId: patientId, note: 'b' }, { source: '/t' });
    expect(a.event.id < b.event.id).toBe(true);
  });
});

describe('topic registry', () => {
  it('pairs every topic with a dead-letter topic that is never compacted', () => {
    const all = topicsWithDlq();
    expect(all).toHaveLength(2 * Object.keys(Topics).length);
    const dlq = dlqTopicFor(Topics.identityFacilityV1);
    expect(dlq.name).toBe('identity.facility.v1.dlq');
    expect(dlq.cleanupPolicy).toBe('delete');
  });
});
