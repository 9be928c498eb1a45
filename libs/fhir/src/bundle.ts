import { compact } from './compact';
import { type fhir4 } from './r4';

/** Where a FHIR response lives: the server base (`https://host/fhir`) and the request itself. */
export interface FhirUrls {
  readonly baseUrl: string;
  readonly selfUrl: string;
}

export interface FhirRequestLine {
  /** `http` or `https` as the server saw it. */
  readonly protocol: string;
  /** Host header, with port when not the default. */
  readonly host: string;
  /** Path and query as requested: `/fhir/Patient?identifier=…`. */
  readonly url: string;
}

/**
 * Absolute URLs for a response. A configured public base wins: behind a TLS-terminating proxy or a
 * path-rewriting ingress the request cannot know the address clients use. Otherwise the base is the
 * request's origin plus `basePath`.
 */
export function fhirUrls(request: FhirRequestLine, basePath: string, configuredBaseUrl?: string): FhirUrls {
  const origin = `${request.protocol}://${request.host}`;
  const mount = trimSlash(basePath);
  const baseUrl = configuredBaseUrl === undefined ? `${origin}${mount}` : trimSlash(configuredBaseUrl);
  const rest = request.url.startsWith(`${mount}/`) || request.url.startsWith(`${mount}?`) ? request.url.slice(mount.length) : undefined;
  return { baseUrl, selfUrl: rest === undefined ? `${origin}${request.url}` : `${baseUrl}${rest}` };
}

/** `Bundle.entry.fullUrl`: absolute, `<base>/<type>/<id>` (R4 §2.36.4.1). */
export function resourceUrl(baseUrl: string, resource: { readonly resourceType: string; readonly id: string }): string {
  return `${trimSlash(baseUrl)}/${resource.resourceType}/${encodeURIComponent(resource.id)}`;
}

export type SearchedResource<R extends fhir4.FhirResource> = R & { readonly id: string };

export interface SearchEntry<R extends fhir4.FhirResource> {
  readonly resource: SearchedResource<R>;
  /** Why it is in the set; `match` unless it came in by `_include` or is an outcome. */
  readonly mode?: 'match' | 'include' | 'outcome';
  /** 0..1 relevance, e.g. a `$match` score. */
  readonly score?: number;
  readonly extension?: readonly fhir4.Extension[];
}

/**
 * A searchset Bundle: `total` counts the matches (includes and outcomes are not results), every entry
 * has an absolute fullUrl and a search mode, and the self link records the search as performed.
 * Pass `total` when the entries are one page of a larger result.
 */
export function searchSetBundle<R extends fhir4.FhirResource>(urls: FhirUrls, entries: readonly SearchEntry<R>[], total?: number): fhir4.Bundle<R> {
  return compact({
    resourceType: 'Bundle',
    type: 'searchset',
    total: total ?? entries.filter((e) => (e.mode ?? 'match') === 'match').length,
    link: [{ relation: 'self', url: urls.selfUrl }],
    entry: entries.map((e) => ({
      fullUrl: resourceUrl(urls.baseUrl, e.resource),
      resource: e.resource,
      search: { mode: e.mode ?? 'match', score: e.score, extension: e.extension === undefined ? undefined : [...e.extension] },
    })),
  });
}

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
