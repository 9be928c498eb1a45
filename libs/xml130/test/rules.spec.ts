import { Readable } from 'node:stream';
import { buildXml130File, readXml130, Xml130StreamError, type Xml130FieldsInput, type Xml130Visit } from '../src';
import { issueMap, readString } from './read-fixtures';

const b64 = (xml: string | Buffer): string => Buffer.from(xml).toString('base64');

const XML1: Xml130FieldsInput = {
  MA_LK: 'LK1',
  MA_BN: 'BN1',
  HO_TEN: 'Nguyễn Văn An',
  SO_CCCD: '001090012345',
  NGAY_SINH: '199001020000',
  GIOI_TINH: '1',
  MA_CSKCB: '01820',
};
const XML4_ROW: Xml130FieldsInput = {
  MA_LK: 'LK1',
  STT: '1',
  MA_DICH_VU: '23.0075.1494',
  GIA_TRI: '5,6',
  DON_VI_DO: 'mmol/L',
  NGAY_KQ: '202501150900',
};

const wrap = (hosos: string): string =>
  `<?xml version="1.0"?><GIAMDINHHS><THONGTINHOSO><DANHSACHHOSO>${hosos}</DANHSACHHOSO></THONGTINHOSO></GIAMDINHHS>`;
const file = (loai: string | undefined, content: string): string =>
  `<FILEHOSO>${loai === undefined ? '' : `<LOAIHOSO>${loai}</LOAIHOSO>`}<NOIDUNGFILE>${content}</NOIDUNGFILE></FILEHOSO>`;
const tongHop = (fields: Xml130FieldsInput): string =>
  `<TONG_HOP>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('')}</TONG_HOP>`;

async function one(xml1: Xml130FieldsInput, xml4: Xml130FieldsInput[] = []): Promise<Xml130Visit> {
  const [visit] = await readString(buildXml130File([{ xml1, xml4 }]));
  if (visit === undefined) throw new Error('no visit');
  return visit;
}

describe('strict validation after tolerant parsing', () => {
  it('reports every broken rule of a record at once, each on its field', async () => {
    const visit = await one(
      {
        ...XML1,
        HO_TEN: '',
        NGAY_SINH: '19850230',
        GIOI_TINH: '4',
        MA_CSKCB: '1820',
        SO_CCCD: '0010900123456789',
        MA_BENH_CHINH: 'E11.65432',
        MA_BENH_KT: Array.from({ length: 13 }, (_, i) => `J0${i % 10}`).join(';'),
        MA_THE_BHYT: 'GD4010120012345;XYZ',
        NGAY_VAO: '20250115',
        T_BNTT: '-5',
        GT_THE_DEN: '20250101;20251301',
      },
      [{ ...XML4_ROW, MA_DICH_VU: '23.0075.1494.99999', STT: 'một' }],
    );
    expect(visit.valid).toBe(false);
    expect(issueMap(visit)).toEqual({
      '#/visits/0/xml1/HO_TEN': 'error:required',
      '#/visits/0/xml1/SO_CCCD': 'error:max-length',
      '#/visits/0/xml1/NGAY_SINH': 'error:impossible-date',
      '#/visits/0/xml1/GIOI_TINH': 'error:code',
      '#/visits/0/xml1/MA_THE_BHYT': 'error:bhyt',
      '#/visits/0/xml1/GT_THE_DEN': 'error:impossible-date',
      '#/visits/0/xml1/MA_BENH_CHINH': 'error:max-length',
      '#/visits/0/xml1/MA_BENH_KT': 'error:max-items',
      '#/visits/0/xml1/NGAY_VAO': 'error:format',
      '#/visits/0/xml1/MA_CSKCB': 'error:facility-code',
      '#/visits/0/xml1/T_BNTT': 'error:number',
      '#/visits/0/xml4/0/STT': 'error:number',
      '#/visits/0/xml4/0/MA_DICH_VU': 'error:max-length',
    });
  });

  it('required fields per table', async () => {
    const [visit] = await readString(
      buildXml130File([{ xml1: { MA_LK: 'LK1' }, xml3: [{ MA_LK: 'LK1' }], xml4: [{ MA_LK: 'LK1', STT: 1 }] }]),
    );
    expect(issueMap(visit as Xml130Visit)).toEqual({
      '#/visits/0/xml1/MA_BN': 'error:required',
      '#/visits/0/xml1/HO_TEN': 'error:required',
      '#/visits/0/xml1/NGAY_SINH': 'error:required',
      '#/visits/0/xml1/GIOI_TINH': 'error:required',
      '#/visits/0/xml1/MA_CSKCB': 'error:required',
      '#/visits/0/xml3/0/STT': 'error:required',
      '#/visits/0/xml3/0/NGAY_YL': 'error:required',
      '#/visits/0/xml3/0/MA_DICH_VU': 'error:required',
      '#/visits/0/xml4/0/MA_DICH_VU': 'error:required',
      '#/visits/0/xml4/0/NGAY_KQ': 'warning:required',
    });
  });

  // Numbers are re-issued and hospital records are wrong: a soft check (vn-standards).
  it('a CCCD that disagrees with GIOI_TINH or the birth year is a warning', async () => {
    const visit = await one({ ...XML1, SO_CCCD: '001190012345', NGAY_SINH: '198801010000' });
    expect(visit.valid).toBe(true);
    expect(visit.errors.map((e) => [e.pointer, e.rule, e.severity])).toEqual([
      ['#/visits/0/xml1/SO_CCCD', 'cccd-demographics', 'warning'],
      ['#/visits/0/xml1/SO_CCCD', 'cccd-demographics', 'warning'],
    ]);
    expect(visit.tables.xml1?.soCccd?.cccd?.sex).toBe('female');
  });

  it('SO_CCCD may hold a CMND or another document: classified, not rejected', async () => {
    const visit = await one({ ...XML1, SO_CCCD: '172839456' });
    expect(visit.valid).toBe(true);
    expect(visit.tables.xml1?.soCccd).toEqual({ value: '172839456', kind: 'cmnd' });
  });

  it('rows of XML3/XML4 whose MA_LK is not the visit’s are errors on that row', async () => {
    const [visit] = await readString(
      buildXml130File([
        {
          xml1: XML1,
          xml3: [{ MA_LK: 'LK1', STT: 1, MA_DICH_VU: 'A', NGAY_YL: '202501150800' }],
          xml4: [XML4_ROW, { ...XML4_ROW, STT: 2, MA_LK: 'LK2' }],
        },
      ]),
    );
    expect(issueMap(visit as Xml130Visit)).toEqual({ '#/visits/0/xml4/1/MA_LK': 'error:malk-mismatch' });
  });

  it('a duplicated field is an error (which value is meant?); an element inside a field is a warning', async () => {
    const xml4 =
      '<CHITIEU_CHITIET_DICHVUCANLAMSANG><DSACH_CHI_TIET_CLS><CHI_TIET_CLS><MA_LK>LK1</MA_LK><STT>1</STT>' +
      '<MA_DICH_VU>X</MA_DICH_VU><GIA_TRI>1</GIA_TRI><GIA_TRI>2</GIA_TRI><NGAY_KQ>202501150900</NGAY_KQ>' +
      '<KET_LUAN><b>Bình</b> thường</KET_LUAN></CHI_TIET_CLS></DSACH_CHI_TIET_CLS></CHITIEU_CHITIET_DICHVUCANLAMSANG>';
    const [visit] = await readString(wrap(`<HOSO>${file('XML1', b64(tongHop(XML1)))}${file('XML4', b64(xml4))}</HOSO>`));
    expect(issueMap(visit as Xml130Visit)).toEqual({
      '#/visits/0/xml4/0/GIA_TRI': 'error:duplicate-field',
      '#/visits/0/xml4/0/KET_LUAN': 'warning:unexpected-element',
    });
    expect(visit?.tables.xml4[0]).toMatchObject({ giaTri: { kind: 'numeric', value: 1 }, ketLuan: 'Bình thường' });
  });

  it('bytes that are not UTF-8 are an encoding error on the field that holds them', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('<TONG_HOP><MA_LK>LK1</MA_LK><MA_BN>BN1</MA_BN><HO_TEN>Nguy'),
      Buffer.from([0xea, 0x6e]),
      Buffer.from('</HO_TEN><NGAY_SINH>19900102</NGAY_SINH><GIOI_TINH>1</GIOI_TINH><MA_CSKCB>01820</MA_CSKCB></TONG_HOP>'),
    ]);
    const [visit] = await readString(wrap(`<HOSO>${file('XML1', b64(latin1))}</HOSO>`));
    expect(issueMap(visit as Xml130Visit)).toEqual({ '#/visits/0/xml1/HO_TEN': 'error:encoding' });
  });

  it('requireTables: a visit without a required table is invalid', async () => {
    const xml = buildXml130File([{ xml1: XML1, xml4: [XML4_ROW] }, { xml4: [{ ...XML4_ROW, MA_LK: 'LK2' }] }]);
    const visits = await readString(xml, { requireTables: ['xml1'] });
    expect(visits.map((v) => [v.maLk, v.valid, issueMap(v)])).toEqual([
      ['LK1', true, {}],
      ['LK2', false, { '#/visits/1/xml1': 'error:required-table' }],
    ]);
  });
});

describe('FILEHOSO entries', () => {
  const good = file('XML1', b64(tongHop(XML1)));

  it('a table that is not well-formed XML is an error on that table; the file goes on', async () => {
    const visits = await readString(
      wrap(`<HOSO>${good}${file('XML4', b64('<CHITIEU_CHITIET_DICHVUCANLAMSANG><DSACH_CHI_TIET_CLS>'))}</HOSO>` +
        `<HOSO>${good}</HOSO>`),
    );
    expect(visits.map((v) => [v.valid, issueMap(v)])).toEqual([
      [false, { '#/visits/0/xml4': 'error:xml' }],
      [true, {}],
    ]);
  });

  it.each([
    ['invalid characters', 'PFRPTkdfSE9QPjwvVE9OR19IT1A+*', /character "\*"/],
    ['padding in the middle', 'PFRP=TkdfSE9QPjwvVE9OR19IT1A+', /padding/],
    ['a truncated quantum', 'PFRPTkdfSE9QPjwvVE9OR19IT1A+P', /truncated/],
  ])('base64 with %s is a base64 error', async (_, text, message) => {
    const [visit] = await readString(wrap(`<HOSO>${file('XML1', text)}</HOSO>`));
    expect(visit?.errors).toEqual([
      { pointer: '#/visits/0/xml1', rule: 'base64', severity: 'error', message: expect.stringMatching(message) },
    ]);
  });

  it('without LOAIHOSO the table is known by its root element', async () => {
    const [visit] = await readString(wrap(`<HOSO>${file(undefined, b64(tongHop(XML1)))}</HOSO>`));
    expect(visit).toMatchObject({ valid: true, maLk: 'LK1', tables: { xml1: { hoTen: 'Nguyễn Văn An' } } });
  });

  it('LOAIHOSO naming one table over another table’s content is an error', async () => {
    const [visit] = await readString(wrap(`<HOSO>${file('XML4', b64(tongHop(XML1)))}</HOSO>`));
    expect(issueMap(visit as Xml130Visit)).toEqual({ '#/visits/0/xml4': 'error:table-mismatch' });
  });

  it('an unknown table is a warning and counted; a second XML1 is an error', async () => {
    const [visit] = await readString(
      wrap(`<HOSO>${good}${file('XML99', b64('<LA><B>1</B></LA>'))}${good}${file('XML2', 'bad*')}</HOSO>`),
    );
    expect(visit?.tables.other).toEqual([{ loaiHoSo: 'XML99', bytes: 17 }]);
    expect(issueMap(visit as Xml130Visit)).toEqual({
      '#/visits/0/files/1': 'warning:unknown-table',
      '#/visits/0/xml1': 'error:duplicate-table',
      // A table the reader does not read only warns: the services that need XML2 will reject it.
      '#/visits/0/files/3': 'warning:base64',
    });
  });

  it('table XML written inside NOIDUNGFILE as elements (not base64) is read too', async () => {
    const inline = `<FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>${tongHop(XML1)}</NOIDUNGFILE></FILEHOSO>`;
    const [visit] = await readString(wrap(`<HOSO>${inline}</HOSO>`));
    expect(visit).toMatchObject({ valid: true, tables: { xml1: { maLk: 'LK1' } } });
  });

  it('no HOSO level: FILEHOSO straight under DANHSACHHOSO is one visit; namespace prefixes are ignored', async () => {
    const xml4 = file('XML4', b64(buildXml130File([{ xml4: [XML4_ROW] }], { form: 'plain' })));
    const xml = `<x:GIAMDINHHS xmlns:x="urn:x"><x:DANHSACHHOSO>${good}${xml4}</x:DANHSACHHOSO></x:GIAMDINHHS>`;
    const visits = await readString(xml);
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ valid: true, maLk: 'LK1', tables: { xml1: { maLk: 'LK1' } } });
    expect(visits[0]?.tables.xml4).toHaveLength(1);
  });
});

describe('plain records', () => {
  it('a bare record as the root, element names in any case', async () => {
    const xml = '<chi_tiet_cls><ma_lk>LK9</ma_lk><STT>1</STT><Ma_Dich_Vu>X</Ma_Dich_Vu><NGAY_KQ>202501150900</NGAY_KQ></chi_tiet_cls>';
    const [visit] = await readString(xml);
    expect(visit).toMatchObject({ maLk: 'LK9', valid: true, tables: { xml4: [{ maDichVu: 'X' }] } });
  });
});

describe('the stream itself', () => {
  async function drain(input: Parameters<typeof readXml130>[0]): Promise<{ visits: number[]; error: unknown }> {
    const visits: number[] = [];
    try {
      for await (const visit of readXml130(input, { fileName: 'upload.xml' })) visits.push(visit.index);
      return { visits, error: undefined };
    } catch (error) {
      return { visits, error };
    }
  }

  it('input that is not XML throws an Xml130StreamError with the position', async () => {
    const { visits, error } = await drain('{"visits": []}');
    expect(visits).toEqual([]);
    expect(error).toBeInstanceOf(Xml130StreamError);
    // saxes notices the text outside a root element where that text ends.
    expect(error).toMatchObject({ line: 1, column: 14, visitIndex: undefined });
    expect((error as Error).message).toBe(
      'not XML the reader can continue through (upload.xml line 1, column 14): text data outside of root node.',
    );
  });

  it('a truncated file yields the complete visits, then throws naming the visit it was in', async () => {
    const full = buildXml130File([{ xml1: XML1 }, { xml1: { ...XML1, MA_LK: 'LK2' } }, { xml1: { ...XML1, MA_LK: 'LK3' } }]);
    const cut = full.slice(0, full.lastIndexOf('<HOSO>') + 200);
    const { visits, error } = await drain(Readable.from([cut.slice(0, 100), cut.slice(100)]));
    expect(visits).toEqual([0, 1]);
    expect(error).toBeInstanceOf(Xml130StreamError);
    expect(error).toMatchObject({ visitIndex: 2 });
    expect((error as Xml130StreamError).line).toBeGreaterThan(1);
  });

  it('an empty input and a second iteration throw', async () => {
    expect((await drain('')).error).toBeInstanceOf(Xml130StreamError);
    const reader = readXml130(buildXml130File([{ xml1: XML1 }]));
    for await (const _ of reader) void _;
    await expect(reader[Symbol.asyncIterator]().next()).rejects.toThrow(/read once/);
  });

  it('takes Buffers, strings and Uint8Arrays, in any mix of chunk sizes', async () => {
    const xml = buildXml130File([{ xml1: XML1, xml4: [XML4_ROW] }], { newline: '\r\n' });
    const bytes = Buffer.from(xml);
    const chunks = [bytes.subarray(0, 3), xml.slice(0, 0), new Uint8Array(bytes.subarray(3, 1000)), bytes.subarray(1000)];
    const [a] = await readString(xml);
    const visits: Xml130Visit[] = [];
    for await (const v of readXml130(chunks)) visits.push(v);
    expect(visits).toEqual([a]);
  });
});
