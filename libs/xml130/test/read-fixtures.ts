import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { readXml130, type Xml130FileHeader, type Xml130ReaderOptions, type Xml130Visit } from '../src';

export const fixture = (name: string): string => join(__dirname, 'fixtures', name);

/** Reads a fixture through a real file stream; small `highWaterMark`s split elements and UTF-8 sequences. */
export async function readFixture(
  name: string,
  options: Xml130ReaderOptions & { highWaterMark?: number } = {},
): Promise<{ visits: Xml130Visit[]; header: Xml130FileHeader }> {
  const reader = readXml130(createReadStream(fixture(name), { highWaterMark: options.highWaterMark ?? 64 * 1024 }), {
    ...options,
    fileName: name,
  });
  const visits: Xml130Visit[] = [];
  for await (const visit of reader) visits.push(visit);
  return { visits, header: reader.header };
}

/** Reads an in-memory file (tests of single rules). */
export async function readString(xml: string | Buffer, options: Xml130ReaderOptions = {}): Promise<Xml130Visit[]> {
  const visits: Xml130Visit[] = [];
  for await (const visit of readXml130(xml, options)) visits.push(visit);
  return visits;
}

/** Pointer → rule of every issue, the shape most assertions compare. */
export function issueMap(visit: Xml130Visit): Record<string, string> {
  return Object.fromEntries(visit.errors.map((issue) => [issue.pointer, `${issue.severity}:${issue.rule}`]));
}
