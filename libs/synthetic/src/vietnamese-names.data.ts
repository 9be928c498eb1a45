/**
 * Real Vietnamese given and middle names for synthetic data, listed roughly most-common first
 * (ordering from name-frequency lists and general usage; used with a Zipf-like weight, not exact
 * frequencies).
 */
export const MALE_GIVEN_NAMES: readonly string[] = [
  'Hùng', 'Dũng', 'Tuấn', 'Minh', 'Nam', 'Long', 'Hải', 'Sơn', 'Thắng', 'Cường', 'Hoàng', 'Huy',
  'Đức', 'Phong', 'Quang', 'Thành', 'Trung', 'Hiếu', 'Tùng', 'Anh', 'Bình', 'Hưng', 'Khánh', 'Tâm',
  'Toàn', 'Việt', 'Vinh', 'Lâm', 'Linh', 'Hiệp', 'Thịnh', 'Phúc', 'Quân', 'Khoa', 'Kiên', 'Lộc',
  'Lợi', 'Mạnh', 'Nghĩa', 'Nhân', 'Phát', 'Phương', 'Quý', 'Sang', 'Tài', 'Tân', 'Thái', 'Thanh',
  'Thiện', 'Thông', 'Tiến', 'Trí', 'Trọng', 'Tú', 'Vũ', 'Vượng', 'An', 'Bảo', 'Chiến', 'Công',
  'Cảnh', 'Danh', 'Duy', 'Dương', 'Đạt', 'Định', 'Đông', 'Giang', 'Hà', 'Hạnh', 'Hào', 'Hậu',
  'Hiển', 'Hòa', 'Hợp', 'Khải', 'Khang', 'Khôi', 'Kha', 'Lực', 'Luân', 'Nguyên', 'Ngọc', 'Nhật',
  'Ninh', 'Phú', 'Quyết', 'Sáng', 'Tấn', 'Thạch', 'Thọ', 'Thuận', 'Thức', 'Tín', 'Toản', 'Trường',
  'Tuyên', 'Tường', 'Uy', 'Văn', 'Vĩnh', 'Xuân', 'Yên', 'Bắc', 'Biên', 'Châu', 'Chính', 'Doanh',
  'Du', 'Điền', 'Điệp', 'Hách', 'Hân', 'Hiền', 'Học', 'Khiêm', 'Khương', 'Lai', 'Lãm', 'Lân',
  'Lương', 'Mẫn', 'Nhuận', 'Pháp', 'Phi', 'Quảng', 'Quyền', 'Sỹ', 'Tạo', 'Thảo', 'Thiêm', 'Thuần',
  'Triều', 'Trực', 'Tuân', 'Vận', 'Vịnh', 'Bách', 'Đăng', 'Gia', 'Kỳ', 'Lập', 'Nhạn', 'Quốc',
  'Sinh', 'Tiệp', 'Trâm', 'Tuệ', 'Vỹ', 'Hậu', 'Khuê', 'Lượng', 'Mậu', 'Ngữ', 'Phụng', 'Quỳnh',
  'Sâm', 'Thân', 'Tịnh', 'Tòng', 'Tự', 'Ước', 'Vương', 'Bảy', 'Tám', 'Chín', 'Mười', 'Tư', 'Năm',
];

export const FEMALE_GIVEN_NAMES: readonly string[] = [
  'Hương', 'Linh', 'Lan', 'Hà', 'Trang', 'Thảo', 'Hằng', 'Huyền', 'Ngọc', 'Anh', 'Mai', 'Hoa',
  'Nga', 'Hạnh', 'Thủy', 'Thu', 'Phương', 'Nhung', 'Loan', 'Vân', 'Yến', 'Dung', 'Hiền', 'Oanh',
  'Thúy', 'Trâm', 'Nhi', 'Vy', 'Quỳnh', 'Châu', 'Chi', 'Diệp', 'Duyên', 'Giang', 'Hân', 'Hậu',
  'Hồng', 'Huệ', 'Khánh', 'Lệ', 'Liên', 'Liễu', 'Loan', 'Ly', 'Mỹ', 'My', 'Nguyệt', 'Nhàn',
  'Như', 'Nương', 'Phượng', 'Quyên', 'Sen', 'Tâm', 'Thanh', 'Thêu', 'Thơ', 'Thoa', 'Thương',
  'Tiên', 'Trinh', 'Tuyết', 'Uyên', 'Vi', 'Xuân', 'Yên', 'An', 'Ánh', 'Bích', 'Cúc', 'Diễm',
  'Đào', 'Điệp', 'Gấm', 'Hải', 'Hoài', 'Hòa', 'Khuê', 'Kiều', 'Lam', 'Lành', 'Liên', 'Linh',
  'Lụa', 'Lựu', 'Mến', 'Minh', 'Mơ', 'Mùi', 'Na', 'Nguyên', 'Nhạn', 'Nhiên', 'Nhị', 'Nhật',
  'Nương', 'Phúc', 'Quế', 'Sương', 'Tâm', 'Thắm', 'Thi', 'Thiện', 'Thịnh', 'Thùy', 'Tình',
  'Trà', 'Trúc', 'Tú', 'Tươi', 'Tường', 'Vui', 'Xoan', 'Bảo', 'Cẩm', 'Dịu', 'Đoan', 'Gia',
  'Hạ', 'Hiên', 'Huyên', 'Kim', 'Lài', 'Len', 'Lợi', 'Luyến', 'Lý', 'Mận', 'Miên', 'Ngân',
  'Nhã', 'Nhài', 'Nhiều', 'Ninh', 'Phấn', 'Phụng', 'Quyền', 'Sa', 'Sinh', 'Son', 'Tám', 'Thái',
  'Thắng', 'Thiều', 'Thục', 'Thư', 'Thường', 'Trinh', 'Trầm', 'Tuyền', 'Vinh', 'Xinh', 'Yêu',
];

/** Middle names that dominate older generations and mark sex (VN-STANDARDS §8). */
export const OLD_MALE_MIDDLE = 'Văn';
export const OLD_FEMALE_MIDDLE = 'Thị';

export const MALE_MIDDLE_NAMES: readonly string[] = [
  'Minh', 'Đức', 'Quang', 'Hữu', 'Công', 'Thành', 'Ngọc', 'Xuân', 'Thanh', 'Quốc', 'Gia', 'Anh',
  'Hoàng', 'Bảo', 'Nhật', 'Tuấn', 'Mạnh', 'Trọng', 'Đình', 'Tiến', 'Hải', 'Khánh', 'Duy', 'Đăng',
];

export const FEMALE_MIDDLE_NAMES: readonly string[] = [
  'Ngọc', 'Thu', 'Thanh', 'Minh', 'Bảo', 'Khánh', 'Phương', 'Hồng', 'Mai', 'Thùy', 'Kim', 'Diệu',
  'Bích', 'Hoài', 'Mỹ', 'Quỳnh', 'Hải', 'Tuyết', 'Vân', 'Xuân', 'Thảo', 'Gia', 'Hà', 'Lan',
];
