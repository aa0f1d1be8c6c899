/**
 * How the GCS backend authorizes its requests: an OAuth 2.0 bearer token
 * from a provider (a service-account key, or workload identity federation),
 * or nothing (public buckets, reads only). Providers cache and refresh on
 * their own; the transport asks before every request and tells the provider
 * when the service refused a token, so the next request fetches a new one.
 */

export interface GcsTokenProvider {
  token(options?: { signal?: AbortSignal }): Promise<string>;
  /** The service answered 401 to the last token: forget it. */
  invalidate?(): void;
}

/** A provider that always hands out one token (tests, and tokens managed outside the gateway). */
export function staticGcsToken(token: string): GcsTokenProvider {
  return { token: async () => token };
}
