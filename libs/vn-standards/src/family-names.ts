/**
 * Vietnamese family names with their commonly cited population shares (VN-STANDARDS §8; figures
 * from press/statistics summaries, rounded). The long tail below the cited names is spread over
 * other real family names so the table sums to ~1 — those shares are estimates, good enough for
 * synthetic data and for value-specific match weights, not for demography.
 *
 * Hoàng/Huỳnh and Vũ/Võ are one name each (northern/southern forms); the cited share is for the
 * pair and is split here because both spellings occur.
 */
export interface FamilyNameShare {
  readonly name: string;
  readonly share: number;
}

export const FAMILY_NAME_SHARES: readonly FamilyNameShare[] = Object.freeze([
  { name: 'Nguyễn', share: 0.38 },
  { name: 'Trần', share: 0.11 },
  { name: 'Lê', share: 0.095 },
  { name: 'Phạm', share: 0.07 },
  { name: 'Hoàng', share: 0.028 },
  { name: 'Huỳnh', share: 0.022 },
  { name: 'Phan', share: 0.045 },
  { name: 'Vũ', share: 0.022 },
  { name: 'Võ', share: 0.018 },
  { name: 'Đặng', share: 0.02 },
  { name: 'Bùi', share: 0.02 },
  { name: 'Đỗ', share: 0.013 },
  { name: 'Hồ', share: 0.013 },
  { name: 'Ngô', share: 0.013 },
  { name: 'Dương', share: 0.01 },
  { name: 'Lý', share: 0.005 },
  // Long tail (estimated shares).
  { name: 'Trương', share: 0.01 },
  { name: 'Đinh', share: 0.008 },
  { name: 'Đoàn', share: 0.007 },
  { name: 'Trịnh', share: 0.007 },
  { name: 'Lâm', share: 0.006 },
  { name: 'Mai', share: 0.006 },
  { name: 'Cao', share: 0.005 },
  { name: 'Lương', share: 0.005 },
  { name: 'Hà', share: 0.005 },
  { name: 'Lưu', share: 0.004 },
  { name: 'Tô', share: 0.004 },
  { name: 'Tạ', share: 0.003 },
  { name: 'Châu', share: 0.003 },
  { name: 'Thái', share: 0.003 },
  { name: 'Quách', share: 0.002 },
  { name: 'Kiều', share: 0.002 },
  { name: 'Tăng', share: 0.002 },
  { name: 'Triệu', share: 0.002 },
  { name: 'Văn', share: 0.002 },
  { name: 'La', share: 0.002 },
  { name: 'Vương', share: 0.002 },
  { name: 'Phùng', share: 0.002 },
  { name: 'Nông', share: 0.002 },
  { name: 'Mạc', share: 0.001 },
  { name: 'Thân', share: 0.001 },
  { name: 'Khúc', share: 0.001 },
  { name: 'Giang', share: 0.001 },
  { name: 'Tôn', share: 0.001 },
  { name: 'Ninh', share: 0.001 },
  { name: 'Âu', share: 0.001 },
]);
