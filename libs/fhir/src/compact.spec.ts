import { compact } from './compact';

describe('compact', () => {
  it('drops undefined members, empty arrays and objects left empty, at any depth', () => {
    const input = {
      resourceType: 'Patient',
      id: 'p1',
      identifier: [],
      name: [{ text: 'Lê Văn Tám', given: [], period: { start: undefined } }],
      telecom: [{ system: undefined }],
      birthDate: undefined,
    };
    expect(compact(input)).toEqual({ resourceType: 'Patient', id: 'p1', name: [{ text: 'Lê Văn Tám' }] });
    expect(Object.keys(compact(input))).toEqual(['resourceType', 'id', 'name']);
  });

  it('keeps falsy values that carry meaning', () => {
    expect(compact({ total: 0, active: false, text: '' })).toEqual({ total: 0, active: false, text: '' });
  });

  it('leaves non-plain objects untouched and does not mutate its input', () => {
    const when = new Date('2025-07-01T00:00:00Z');
    const input = { meta: { lastUpdated: when }, tag: [] as string[] };
    const out = compact(input);
    expect(out.meta.lastUpdated).toBe(when);
    expect(input.tag).toEqual([]);
  });

  it('answers an empty container of the same kind when everything is dropped', () => {
    expect(compact({ a: [], b: undefined })).toEqual({});
    expect(compact([undefined, []])).toEqual([]);
  });
});
