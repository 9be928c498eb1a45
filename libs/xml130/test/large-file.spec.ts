import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readXml130, xml130Chunks, type Xml130FieldsInput, type Xml130VisitInput } from '../src';

// A real full collection at each checkpoint, so what is measured is what the reader keeps alive,
// not garbage V8 has not collected yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FILE_BYTES = 50 * 1024 * 1024;
const BAD_VISIT = 1234;

function visit(i: number): Xml130VisitInput {
  const maLk = `01820.2501.${String(i).padStart(7, '0')}`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  /** 07:00 local plus `minute`, as yyyymmddHHMM. */
  const time = (minute: number): string => `20250115${pad(7 + Math.floor(minute / 60))}${pad(minute % 60)}`;
  const xml1: Xml130FieldsInput = {
    MA_LK: maLk,
    STT: 1,
    MA_BN: `BN${i}`,
    HO_TEN: i % 2 === 0 ? 'Nguyễn Thị Thu Hà' : 'Trần Văn Bình',
    SO_CCCD: `0011850${String(i % 100000).padStart(5, '0')}`,
    NGAY_SINH: '198503150000',
    GIOI_TINH: 2,
    DIA_CHI: 'Thôn Đông, xã Tiên Dược, huyện Sóc Sơn, Hà Nội',
    MA_THE_BHYT: 'GD4010120012345',
    MA_DKBD: '01820',
    GT_THE_TU: '20250101',
    GT_THE_DEN: '20251231',
    CHAN_DOAN_RV: 'Đái tháo đường týp 2 không biến chứng',
    MA_BENH_CHINH: 'E11.9',
    MA_BENH_KT: 'I10;E78.0',
    NGAY_VAO: time(15),
    NGAY_RA: time(210),
    MA_LOAI_KCB: '01',
    MA_CSKCB: '01820',
    T_TONGCHI_BV: '304350',
  };
  const xml3 = Array.from({ length: 5 }, (_, r) => ({
    MA_LK: maLk,
    STT: r + 1,
    MA_DICH_VU: `23.00${String(40 + r)}.1494`,
    TEN_DICH_VU: 'Định lượng Glucose [Máu]',
    DON_VI_TINH: 'Lần',
    SO_LUONG: 1,
    DON_GIA_BV: 21500,
    THANH_TIEN_BV: 21500,
    NGAY_YL: time(30),
    NGAY_TH_YL: time(45),
    NGAY_KQ: time(120),
    NGUOI_THUC_HIEN: '001190001111',
    MA_MAY: 'XN.01820.AU480',
    MA_BAC_SI: '001075002222',
  }));
  const xml4 = Array.from({ length: 10 }, (_, r) => ({
    MA_LK: maLk,
    STT: r + 1,
    MA_DICH_VU: `23.00${String(40 + (r % 5))}.1494`,
    MA_CHI_SO: `23004${r}1`,
    TEN_CHI_SO: 'Cholesterol toàn phần',
    GIA_TRI: r % 3 === 0 ? 'Âm tính' : `${4 + (i % 3)},${r}`,
    DON_VI_DO: r % 2 === 0 ? 'mmol/l' : 'mmol/L',
    KET_LUAN: 'Trong giới hạn bình thường',
    NGAY_KQ: i === BAD_VISIT && r === 3 ? '202502300900' : time(120),
    MA_BS_DOC_KQ: '001075002222',
  }));
  const xml2 = '<CHITIEU_CHITIET_THUOC><DSACH_CHI_TIET_THUOC/></CHITIEU_CHITIET_THUOC>';
  return { xml1, xml3, xml4, extra: [{ loaiHoSo: 'XML2', xml: xml2 }] };
}

describe('a ~50 MB file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xml130-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams through with memory bounded by a visit, not the file', async () => {
    const path = join(dir, 'large.xml');
    const perVisit = [...xml130Chunks([visit(0)])][1]?.length ?? 1;
    const count = Math.ceil(FILE_BYTES / perVisit);
    function* visits(): Generator<Xml130VisitInput> {
      for (let i = 0; i < count; i += 1) yield visit(i);
    }
    await pipeline(Readable.from(xml130Chunks(visits(), { facility: '01820', count })), createWriteStream(path));
    const size = (await stat(path)).size;
    expect(size).toBeGreaterThanOrEqual(FILE_BYTES);

    const used = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const baseline = used();
    let peak = 0;
    let read = 0;
    let rows = 0;
    const invalid: number[] = [];
    const reader = readXml130(createReadStream(path));
    for await (const v of reader) {
      if (v.index !== read) throw new Error(`visit ${v.index} out of order`);
      read += 1;
      rows += v.tables.xml3.length + v.tables.xml4.length;
      if (!v.valid) invalid.push(v.index);
      if (read % 500 === 0) peak = Math.max(peak, used() - baseline);
    }
    peak = Math.max(peak, used() - baseline);

    expect(reader.header).toMatchObject({ form: 'wrapper', maCskcb: '01820', soLuongHoSo: String(count) });
    expect(read).toBe(count);
    expect(rows).toBe(count * 15);
    expect(invalid).toEqual([BAD_VISIT]);
    // Everything the file holds, as objects, would be several times its size; the reader keeps one visit.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
