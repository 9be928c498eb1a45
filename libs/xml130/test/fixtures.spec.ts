import { statSync } from 'node:fs';
import { fixture, issueMap, readFixture } from './read-fixtures';

describe('XML 130 fixtures (written from the published field lists)', () => {
  describe('a normal visit: XML1, XML2, XML3, XML4 in the GIAMDINHHS wrapper', () => {
    it('reads the header and one valid visit with no issues', async () => {
      const { visits, header } = await readFixture('normal-visit.xml');
      expect(header).toEqual({
        form: 'wrapper',
        root: 'GIAMDINHHS',
        maCskcb: '01820',
        ngayLap: '20250115',
        soLuongHoSo: '1',
      });
      expect(visits).toHaveLength(1);
      const [visit] = visits;
      expect(visit).toMatchObject({ index: 0, maLk: '01820.250115.0001', valid: true, errors: [] });
    });

    it('parses XML1: identity, birth date with precision, times in UTC, lists, money; raw kept', async () => {
      const xml1 = (await readFixture('normal-visit.xml')).visits[0]?.tables.xml1;
      expect(xml1).toMatchObject({
        maLk: '01820.250115.0001',
        stt: 1,
        maBn: 'BN0045871',
        hoTen: 'Nguyễn Thị Thu Hà',
        soCccd: {
          value: '001185012345',
          kind: 'cccd',
          cccd: { registrationProvince: 'Hà Nội', sex: 'female', birthYear: 1985 },
        },
        ngaySinh: { year: 1985, month: 3, day: 15, precision: 'day' },
        gioiTinh: 'female',
        maTheBhyt: [{ value: 'GD4010120012345', socialInsuranceNumber: '0120012345' }],
        maDkbd: ['01820'],
        gtTheTu: ['2025-01-01'],
        gtTheDen: ['2025-12-31'],
        maBenhChinh: 'E11.9',
        maBenhKt: ['I10', 'E78.0'],
        maCskcb: '01820',
        ketQuaDtri: 2,
        maLoaiRv: 1,
        maLoaiKcb: '01',
        tTongChiBv: 304350,
        tBhtt: 243480,
      });
      // 07:15 in Vietnam is 00:15 UTC.
      expect(xml1?.ngayVao).toEqual(new Date('2025-01-15T00:15:00Z'));
      expect(xml1?.ngayRa).toEqual(new Date('2025-01-15T03:30:00Z'));
      // Empty elements are absent values, their raw text kept; unknown elements stay in raw.
      expect(xml1?.maPtttQt).toBeUndefined();
      expect(xml1?.maNoiDi).toBeUndefined();
      expect(xml1?.raw['MA_NOI_DI']).toBe('');
      expect(xml1?.raw['DU_PHONG']).toBe('');
      expect(xml1?.raw['HO_TEN']).toBe('Nguyễn Thị Thu Hà');
    });

    it('parses XML3: ordered and performed times, the price from DON_GIA_BV else DON_GIA, supply rows', async () => {
      const xml3 = (await readFixture('normal-visit.xml')).visits[0]?.tables.xml3 ?? [];
      expect(xml3).toHaveLength(6);
      expect(xml3[0]).toMatchObject({
        index: 0,
        maDichVu: '23.0075.1494',
        tenDichVu: 'Định lượng Glucose [Máu]',
        soLuong: 1,
        price: { amount: 21500, source: 'DON_GIA_BV' },
        thanhTienBv: 21500,
        ngayYl: new Date('2025-01-15T00:30:00Z'),
        ngayThYl: new Date('2025-01-15T00:45:00Z'),
        ngayKq: new Date('2025-01-15T02:00:00Z'),
        nguoiThucHien: ['001190001111'],
        maMay: 'XN.01820.AU480',
        maBacSi: ['001075002222'],
      });
      expect(xml3[1]?.price).toEqual({ amount: 26900, source: 'DON_GIA' });
      expect(xml3[4]?.nguoiThucHien).toEqual(['001190001111', '001192003333']);
      // A supply: no service code, a comma-decimal quantity.
      expect(xml3[5]).toMatchObject({ maVatTu: 'N03.01.040', soLuong: 0.05, price: { amount: 25000, source: 'DON_GIA' } });
      expect(xml3[5]?.maDichVu).toBeUndefined();
    });

    it('parses XML4: units kept raw ("mmol/l" vs "mmol/L"), comma decimals, qualitative values', async () => {
      const xml4 = (await readFixture('normal-visit.xml')).visits[0]?.tables.xml4 ?? [];
      expect(xml4.map((row) => [row.tenChiSo, row.raw['GIA_TRI'], row.giaTri, row.donViDo])).toEqual([
        ['Glucose', '5,6', { kind: 'numeric', value: 5.6 }, 'mmol/l'],
        ['Cholesterol toàn phần', '4.9', { kind: 'numeric', value: 4.9 }, 'mmol/L'],
        ['Creatinin', '78', { kind: 'numeric', value: 78 }, 'µmol/L'],
        ['HBsAg', 'Âm tính', { kind: 'qualitative', interpretation: 'negative', text: 'Âm tính' }, undefined],
        ['Anti-HCV', 'Dương tính', { kind: 'qualitative', interpretation: 'positive', text: 'Dương tính' }, undefined],
      ]);
      expect(xml4[0]).toMatchObject({
        index: 0,
        maLk: '01820.250115.0001',
        stt: 1,
        maDichVu: '23.0075.1494',
        maChiSo: '2300751',
        ngayKq: new Date('2025-01-15T02:00:00Z'),
        maBsDocKq: ['001075002222'],
      });
      expect(xml4[4]?.maBsDocKq).toEqual(['001075002222', '001080004444']);
      expect(xml4[4]?.ketLuan).toBe('Anti-HCV dương tính, đề nghị định lượng HCV RNA');
    });

    it('counts the tables it does not read (XML2) by their decoded size', async () => {
      const other = (await readFixture('normal-visit.xml')).visits[0]?.tables.other;
      expect(other).toEqual([{ loaiHoSo: 'XML2', bytes: statSync(fixture('tables/normal/xml2.xml')).size }]);
    });
  });

  describe('a batch with bad visits among good ones', () => {
    it('flags only the bad visits, each with issues pointing at its table, row and field', async () => {
      const { visits } = await readFixture('mixed-batch.xml');
      expect(visits.map((v) => [v.index, v.maLk, v.valid])).toEqual([
        [0, '38012.250210.0001', true],
        [1, '38012.250210.0002', false],
        [2, '38012.250210.0003', true],
        [3, '38012.250210.0004', false],
        [4, '38012.250210.0005', false],
        [5, '38012.250210.0006', true],
      ]);
      expect(visits.map(issueMap)).toEqual([
        {},
        { '#/visits/1/xml4': 'error:base64' },
        { '#/visits/2/xml4/1/NGAY_KQ': 'warning:required' },
        { '#/visits/3/xml4/1/NGAY_KQ': 'error:impossible-date' },
        { '#/visits/4/xml1/SO_CCCD': 'error:cccd-province-code' },
        {},
      ]);
    });

    it('the good visits are complete', async () => {
      const { visits } = await readFixture('mixed-batch.xml');
      expect(visits[0]?.tables.xml1?.soCccd?.cccd?.registrationProvince).toBe('Thanh Hóa');
      expect(visits[0]?.tables.xml3[0]?.ngayThYl).toEqual(new Date('2025-02-10T01:30:00Z'));
      expect(visits[0]?.tables.xml4[0]?.giaTri).toEqual({ kind: 'numeric', value: 7.2 });
      // Birth year only ("0000" for month and day): a partial date, not 1 January.
      expect(visits[5]?.tables.xml1?.ngaySinh).toEqual({ year: 1945, precision: 'year' });
      expect(visits[5]?.tables.xml1?.soCccd).toBeUndefined();
    });

    it('broken base64 in FILEHOSO: that table is dropped, the visit keeps what else it read', async () => {
      const visit = (await readFixture('mixed-batch.xml')).visits[1];
      expect(visit?.tables.xml1?.hoTen).toBe('Lê Thị Cúc');
      expect(visit?.tables.xml4).toEqual([]);
      expect(visit?.errors[0]?.message).toMatch(/XML4: NOIDUNGFILE is not valid base64 \(character "%"/);
    });

    it('a missing NGAY_KQ is a warning on that row; the row and the others are kept', async () => {
      const xml4 = (await readFixture('mixed-batch.xml')).visits[2]?.tables.xml4 ?? [];
      expect(xml4).toHaveLength(2);
      expect(xml4[0]?.ngayKq).toEqual(new Date('2025-02-10T02:30:00Z'));
      expect(xml4[1]).toMatchObject({ tenChiSo: 'Triglycerid', giaTri: { kind: 'numeric', value: 2.3 } });
      expect(xml4[1]?.ngayKq).toBeUndefined();
    });

    it('an impossible date (2025-02-30) is an error on its field; the raw text is kept', async () => {
      const visit = (await readFixture('mixed-batch.xml')).visits[3];
      expect(visit?.tables.xml4[1]?.ngayKq).toBeUndefined();
      expect(visit?.tables.xml4[1]?.raw['NGAY_KQ']).toBe('202502300930');
      expect(visit?.tables.xml4[0]?.ngayKq).toEqual(new Date('2025-02-10T02:30:00Z'));
    });

    it('a CCCD whose province code does not exist is an error on SO_CCCD', async () => {
      const visit = (await readFixture('mixed-batch.xml')).visits[4];
      expect(visit?.errors).toEqual([
        {
          pointer: '#/visits/4/xml1/SO_CCCD',
          rule: 'cccd-province-code',
          message: 'SO_CCCD: unknown birth-registration code 003',
          severity: 'error',
        },
      ]);
      expect(visit?.tables.xml1?.soCccd).toBeUndefined();
      expect(visit?.tables.xml1?.raw['SO_CCCD']).toBe('003088001234');
    });
  });

  describe('plain tables (no wrapper), as real files vary', () => {
    it('a CHITIEU_… root: one visit per run of MA_LK, rows indexed within their visit', async () => {
      const { visits, header } = await readFixture('plain-xml4.xml');
      expect(header).toMatchObject({ form: 'plain', root: 'CHITIEU_CHITIET_DICHVUCANLAMSANG' });
      expect(visits.map((v) => [v.index, v.maLk, v.tables.xml4.map((r) => r.index), v.valid])).toEqual([
        [0, '27005.250320.0101', [0, 1], true],
        [1, '27005.250320.0102', [0], true],
      ]);
      const imaging = visits[1]?.tables.xml4[0];
      expect(imaging?.giaTri).toBeUndefined();
      expect(imaging?.ketLuan).toBe('Hình ảnh X-quang ngực bình thường');
      expect(imaging?.moTa).toMatch(/^Hai phế trường sáng đều/);
    });

    it('a bare DSACH_… root with CRLF line ends, CDATA text and empty elements', async () => {
      const { visits, header } = await readFixture('bare-dsach-crlf-cdata.xml');
      expect(header).toMatchObject({ form: 'plain', root: 'DSACH_CHI_TIET_CLS' });
      expect(visits).toHaveLength(1);
      const [culture, crp] = visits[0]?.tables.xml4 ?? [];
      expect(visits[0]).toMatchObject({ maLk: '66001.250405.0007', valid: true, errors: [] });
      expect(culture).toMatchObject({
        maDichVu: '24.0001.1714',
        tenChiSo: 'Vi khuẩn nuôi cấy & định danh (máu)',
        giaTri: { kind: 'qualitative', interpretation: 'negative' },
        ketLuan: 'Cấy máu sau 5 ngày: <không mọc>',
        maBsDocKq: ['066082001010', '066090002020'],
      });
      expect(culture?.maChiSo).toBeUndefined();
      expect(culture?.raw['MA_CHI_SO']).toBe('');
      expect(crp?.giaTri).toEqual({ kind: 'numeric', value: 0.5, comparator: '<' });
      for (const row of [culture, crp]) {
        for (const text of Object.values(row?.raw ?? {})) expect(text).not.toMatch(/\r/);
      }
    });

    it('a TONG_HOP root: one visit with XML1 only; passport numbers and birth-year-only dates', async () => {
      const { visits } = await readFixture('plain-tong-hop.xml');
      expect(visits).toHaveLength(1);
      expect(visits[0]).toMatchObject({ maLk: '01001.250501.0900', valid: true, tables: { xml3: [], xml4: [] } });
      expect(visits[0]?.tables.xml1).toMatchObject({
        hoTen: 'Lý Văn Tư',
        soCccd: { value: 'B1234567', kind: 'passport' },
        ngaySinh: { year: 1938, precision: 'year' },
        maNoiDi: '01820',
        ngayVao: new Date('2025-05-01T01:30:00Z'),
      });
    });
  });

  it('a wrapper with CRLF, a missing THONGTINHOSO level, CDATA base64 in lines, LOAIHOSO last, BOM tables', async () => {
    const { visits, header } = await readFixture('wrapper-crlf-cdata.xml');
    expect(header).toMatchObject({ form: 'wrapper', root: 'GIAMDINHHS' });
    expect(visits).toHaveLength(1);
    const visit = visits[0];
    expect(visit).toMatchObject({ maLk: '79024.250301.0042', valid: true, errors: [] });
    expect(visit?.tables.xml1).toMatchObject({
      hoTen: 'Huỳnh Thị Kim Liên',
      soCccd: { kind: 'cccd', cccd: { registrationProvince: 'Hồ Chí Minh', sex: 'female', birthYear: 2001 } },
      ngaySinh: { year: 2001, month: 7, precision: 'month' },
      maTheBhyt: [{ kind: 'legacy-15' }, { kind: 'social-insurance-10', socialInsuranceNumber: '7930123456' }],
      maDkbd: ['79024', '79024'],
      gtTheTu: ['2024-09-01', '2025-09-01'],
      gtTheDen: ['2025-08-31', '2026-08-31'],
      tTongChiBv: 45000.5,
    });
    expect(visit?.tables.xml4.map((row) => [row.giaTri, row.ketLuan])).toEqual([
      [
        { kind: 'qualitative', interpretation: 'positive', text: 'Dương tính (+)' },
        'Nitrit > ngưỡng: nghi nhiễm khuẩn <tiết niệu>',
      ],
      [{ kind: 'numeric', value: 125 }, 'Nhiều dòng:\ndòng 2'],
    ]);
  });

  it.each([
    'normal-visit.xml',
    'mixed-batch.xml',
    'plain-xml4.xml',
    'bare-dsach-crlf-cdata.xml',
    'wrapper-crlf-cdata.xml',
  ])('%s reads the same in 7-byte chunks (split elements, split UTF-8 sequences)', async (name) => {
    const whole = await readFixture(name);
    const chunked = await readFixture(name, { highWaterMark: 7 });
    expect(chunked).toEqual(whole);
  });
});
