import { invalid, valid, type Validated } from './validation-result';

/**
 * Ministry formats (XML 130) carry Vietnam local time, UTC+07:00, which has had no daylight saving
 * since 1975 — so a fixed offset is exact and needs no time-zone database.
 */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;

export type DateRule = 'format' | 'impossible-date';

export type DatePrecision = 'year' | 'month' | 'day';

/** A birth date known to year, month or day precision (elderly patients often have only a year). */
export interface PartialDate {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
}

export function datePrecision(date: PartialDate): DatePrecision {
  if (date.month === undefined) return 'year';
  return date.day === undefined ? 'month' : 'day';
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkParts(
  year: number,
  month: number | undefined,
  day: number | undefined,
): Validated<PartialDate, DateRule> {
  if (year < 1800 || year > 2399) {
    return invalid({ rule: 'impossible-date', message: `year ${year} out of range` });
  }
  if (month === undefined) {
    return day === undefined
      ? valid({ year })
      : invalid({ rule: 'impossible-date', message: 'day given without month' });
  }
  if (month < 1 || month > 12) {
    return invalid({ rule: 'impossible-date', message: `month ${month} out of range` });
  }
  if (day === undefined) return valid({ year, month });
  if (day < 1 || day > daysInMonth(year, month)) {
    return invalid({ rule: 'impossible-date', message: `${year}-${month} has no day ${day}` });
  }
  return valid({ year, month, day });
}

/**
 * Parses NGAY_SINH-style `yyyymmdd` or `yyyymmddHHMM` where unknown parts are `00`
 * ("19450000" → {year: 1945}). Time of day is dropped: a birth date's precision is at most a day.
 */
export function parseMinistryBirthDate(input: string): Validated<PartialDate, DateRule> {
  const value = input.trim();
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})(?:[0-9]{4})?$/.exec(value);
  if (!m) {
    return invalid({ rule: 'format', message: 'expected yyyymmdd or yyyymmddHHMM' });
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  return checkParts(Number(m[1]), month === 0 ? undefined : month, day === 0 ? undefined : day);
}

/** Parses ISO/FHIR partial dates `yyyy`, `yyyy-mm`, `yyyy-mm-dd`. */
export function parseIsoPartialDate(input: string): Validated<PartialDate, DateRule> {
  const m = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$/.exec(input.trim());
  if (!m) return invalid({ rule: 'format', message: 'expected yyyy, yyyy-mm or yyyy-mm-dd' });
  return checkParts(
    Number(m[1]),
    m[2] === undefined ? undefined : Number(m[2]),
    m[3] === undefined ? undefined : Number(m[3]),
  );
}

/** Accepts either ministry or ISO form (ingestion sees both). */
export function parseBirthDate(input: string): Validated<PartialDate, DateRule> {
  return input.includes('-') || input.trim().length === 4
    ? parseIsoPartialDate(input)
    : parseMinistryBirthDate(input);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** ISO/FHIR form at the date's own precision. */
export function formatIsoPartialDate(date: PartialDate): string {
  let out = pad(date.year, 4);
  if (date.month !== undefined) out += `-${pad(date.month)}`;
  if (date.month !== undefined && date.day !== undefined) out += `-${pad(date.day)}`;
  return out;
}

/** Ministry `yyyymmdd` with `00` for unknown parts. */
export function formatMinistryDate(date: PartialDate): string {
  return `${pad(date.year, 4)}${pad(date.month ?? 0)}${pad(date.day ?? 0)}`;
}

/**
 * Ministry local date-time `yyyymmddHHMM` (or `yyyymmdd`, read as local midnight) → UTC ISO-8601.
 * '202601151030' → '2026-01-15T03:30:00.000Z'.
 */
export function parseMinistryDateTime(input: string): Validated<string, DateRule> {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2}))?$/.exec(input.trim());
  if (!m) return invalid({ rule: 'format', message: 'expected yyyymmddHHMM or yyyymmdd' });
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute] = [Number(m[4] ?? 0), Number(m[5] ?? 0)];
  const date = checkParts(year, month, day);
  if (!date.ok || month === 0 || day === 0) {
    return invalid({ rule: 'impossible-date', message: `no such date ${input.trim()}` });
  }
  if (hour > 23 || minute > 59) {
    return invalid({ rule: 'impossible-date', message: `no such time ${pad(hour)}:${pad(minute)}` });
  }
  const utcMillis =
    Date.UTC(year, month - 1, day, hour, minute) - VIETNAM_UTC_OFFSET_MINUTES * 60_000;
  return valid(new Date(utcMillis).toISOString());
}

/** UTC instant (ISO string or Date) → ministry local `yyyymmddHHMM`. */
export function formatMinistryDateTime(instant: string | Date): string {
  const millis = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(millis)) throw new RangeError(`not an instant: ${String(instant)}`);
  const local = new Date(millis + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
  return (
    pad(local.getUTCFullYear(), 4) +
    pad(local.getUTCMonth() + 1) +
    pad(local.getUTCDate()) +
    pad(local.getUTCHours()) +
    pad(local.getUTCMinutes())
  );
}

/** Local calendar date `yyyymmdd` (e.g. GT_THE_TU) → ISO `yyyy-mm-dd`, validated. */
export function parseMinistryDate(input: string): Validated<string, DateRule> {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(input.trim());
  if (!m) return invalid({ rule: 'format', message: 'expected yyyymmdd' });
  const checked = checkParts(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!checked.ok || Number(m[2]) === 0 || Number(m[3]) === 0) {
    return invalid({ rule: 'impossible-date', message: `no such date ${input.trim()}` });
  }
  return valid(`${m[1]}-${m[2]}-${m[3]}`);
}
