import { AuditPageQueryDto, UuidPageQueryDto } from './page.dto';

const audit = (query: Record<string, string>) => AuditPageQueryDto.schema.safeParse(query);
const uuidPage = (query: Record<string, string>) => UuidPageQueryDto.schema.safeParse(query);

describe('page query DTOs', () => {
  it.each(['abc', '-5', '0', '1.5', '01', '9223372036854775808', '99999999999999999999'])('refuse the audit cursor %p', (cursor) => {
    expect(audit({ cursor }).success).toBe(false);
  });
  it.each(['1', '42', '9223372036854775807'])('accept the audit cursor %p', (cursor) => {
    expect(audit({ cursor })).toMatchObject({ success: true, data: { cursor, limit: 100 } });
  });
  it.each(['not-a-uuid', '-1', '1'])('refuse the review cursor %p', (cursor) => {
    expect(uuidPage({ cursor }).success).toBe(false);
  });
  it.each(['0', '-3', 'ten', '201'])('refuse the page size %p', (limit) => {
    expect(uuidPage({ limit }).success).toBe(false);
  });
});
