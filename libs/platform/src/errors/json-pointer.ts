/** RFC 6901 pointer as a URI fragment, the form RFC 9457's examples use (`#/items/0/value`). */
export function toJsonPointer(path: readonly string[]): string {
  return `#${path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}
