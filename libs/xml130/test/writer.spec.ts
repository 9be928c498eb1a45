import { buildXml130File, buildXml130Table, xml130Chunks, type Xml130VisitInput } from '../src';
import { readString } from './read-fixtures';

const visits: Xml130VisitInput[] = [
  {
    xml1: {
      MA_LK: 'LK1',
      MA_BN: 'BN1',
      HO_TEN: 'Trần Thị <B> & "C"',
      NGAY_SINH: '19900102',
      GIOI_TINH: 2,
      MA_CSKCB: '01820',
      NGAY_VAO: new Date('2025-01-15T00:15:00Z'),
      MA_NOI_DI: null,
      DIEN_THOAI: '',
    },
    xml3: [{ MA_LK: 'LK1', STT: 1, MA_DICH_VU: 'A', NGAY_YL: '202501150730', DON_GIA: 21500 }],
    xml4: [
      { MA_LK: 'LK1', STT: 1, MA_DICH_VU: 'A', GIA_TRI: '5,6', NGAY_KQ: '202501150900', KET_LUAN: 'x ]]> y' },
      { MA_LK: 'LK1', STT: 2, MA_DICH_VU: 'A', GIA_TRI: 'Âm tính', NGAY_KQ: '202501150900' },
    ],
    extra: [
      { loaiHoSo: 'XML2', xml: '<CHITIEU_CHITIET_THUOC/>' },
      { loaiHoSo: 'XML5', base64: 'PENISVRJRVVfQ0hJVElFVF9ESUVOQklFTkxBTVNBTkcvPg==' },
    ],
  },
  { xml1: { MA_LK: 'LK2', MA_BN: 'BN2', HO_TEN: 'Lê Văn D', NGAY_SINH: '1950', GIOI_TINH: 1, MA_CSKCB: '01820' } },
];

describe('buildXml130File (the one encoder for fixtures, the demo and load generators)', () => {
  it.each([
    ['plain options', {}],
    ['CRLF, CDATA, MIME-wrapped base64', { newline: '\r\n', cdata: true, base64LineLength: 76 }],
  ] as const)('what it writes reads back field for field (%s)', async (_, options) => {
    const read = await readString(buildXml130File(visits, { ...options, facility: '01820', count: 2 }));
    expect(read.map((v) => v.maLk)).toEqual(['LK1', 'LK2']);
    const [first] = read;
    expect(first?.tables.xml1?.raw).toEqual({
      MA_LK: 'LK1',
      MA_BN: 'BN1',
      HO_TEN: 'Trần Thị <B> & "C"',
      NGAY_SINH: '19900102',
      GIOI_TINH: '2',
      MA_CSKCB: '01820',
      NGAY_VAO: '202501150715',
      DIEN_THOAI: '',
    });
    // A Date is written as Vietnam local time and read back as the same instant.
    expect(first?.tables.xml1?.ngayVao).toEqual(new Date('2025-01-15T00:15:00Z'));
    expect(first?.tables.xml4.map((r) => r.raw['KET_LUAN'] ?? r.raw['GIA_TRI'])).toEqual(['x ]]> y', 'Âm tính']);
    expect(first?.tables.xml3[0]?.price).toEqual({ amount: 21500, source: 'DON_GIA' });
    expect(first?.tables.other).toEqual([
      { loaiHoSo: 'XML2', bytes: 24 },
      { loaiHoSo: 'XML5', bytes: 34 },
    ]);
    // LK2's NGAY_SINH "1950" is neither yyyymmdd nor yyyymmddHHMM.
    expect(read.map((v) => v.errors.map((e) => `${e.pointer} ${e.rule}`))).toEqual([
      [],
      ['#/visits/1/xml1/NGAY_SINH format'],
    ]);
  });

  it('writes the wrapper head the ministry format has', () => {
    const xml = buildXml130File([], { facility: '01820', createdAt: new Date('2025-01-14T18:00:00Z'), count: 0 });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS>\n  <THONGTINDONVI>\n    <MACSKCB>01820</MACSKCB>\n' +
        '  </THONGTINDONVI>\n  <THONGTINHOSO>\n    <NGAYLAP>20250115</NGAYLAP>\n    <SOLUONGHOSO>0</SOLUONGHOSO>\n' +
        '    <DANHSACHHOSO>\n    </DANHSACHHOSO>\n  </THONGTINHOSO>\n  <CHUKYDONVI/>\n</GIAMDINHHS>\n',
    );
  });

  it('wraps base64 lines at the width asked', () => {
    const xml = buildXml130File(visits, { base64LineLength: 76 });
    const lines = xml.split('\n').filter((line) => /^[A-Za-z0-9+/=]+$/.test(line));
    expect(lines.length).toBeGreaterThan(5);
    expect(Math.max(...lines.map((l) => l.length))).toBe(76);
  });

  it('plain form: one table across visits, read back as one visit per MA_LK', async () => {
    const xml = buildXml130File(
      ['A', 'B'].map((maLk) => ({ xml4: [{ MA_LK: maLk, STT: 1, MA_DICH_VU: 'X', NGAY_KQ: '202501150900' }] })),
      { form: 'plain', table: 'xml4', newline: '\r\n', cdata: true },
    );
    expect(xml.split('\r\n').slice(1, 3)).toEqual(['<CHITIEU_CHITIET_DICHVUCANLAMSANG>', '  <DSACH_CHI_TIET_CLS>']);
    const read = await readString(xml);
    expect(read.map((v) => [v.maLk, v.tables.xml4.length, v.valid])).toEqual([
      ['A', 1, true],
      ['B', 1, true],
    ]);
  });

  it('a plain XML1 file holds one visit; TONG_HOP holds one record', () => {
    expect(() => buildXml130File(visits, { form: 'plain', table: 'xml1' })).toThrow(RangeError);
    expect(() => buildXml130Table('xml1', [])).toThrow(RangeError);
    const plain = buildXml130File([visits[1] as Xml130VisitInput], { form: 'plain', table: 'xml1' });
    expect(plain.split('\n').slice(1, 3)).toEqual(['<TONG_HOP>', '  <MA_LK>LK2</MA_LK>']);
  });

  it('streams: one chunk per visit between head and tail, from a lazy generator', () => {
    let produced = 0;
    function* lazy(): Generator<Xml130VisitInput> {
      for (let i = 0; i < 3; i += 1) {
        produced += 1;
        yield { xml1: { MA_LK: `LK${i}` } };
      }
    }
    const chunks = xml130Chunks(lazy());
    chunks.next();
    expect(produced).toBe(0);
    expect([...chunks]).toHaveLength(4);
    expect(produced).toBe(3);
  });
});
