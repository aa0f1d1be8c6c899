/**
 * How the Azure backend authorizes its requests: Shared Key (the account
 * key signs each request), a SAS token (appended to every URL), a bearer
 * token from a provider (Entra ID), or nothing (public containers, reads only).
 */
import type { HeaderMap } from '../../core/http.ts';
import { createSharedKeySigner, type SharedKeySigner } from './shared-key.ts';

/**
 * Supplies OAuth 2.0 access tokens for Azure Storage (audience
 * `https://storage.azure.com/`). It caches and refreshes on its own; the
 * backend asks before every request.
 */
export interface AzureTokenProvider {
  token(options?: { signal?: AbortSignal }): Promise<string>;
}

export type AzureAuth =
  | { kind: 'sharedKey'; accountKey: string }
  | { kind: 'sas'; token: string }
  | { kind: 'bearer'; provider: AzureTokenProvider }
  | { kind: 'none' };

/** Applies one `AzureAuth` to outgoing requests. */
export interface RequestAuthorizer {
  /** Whether requests carry any authorization (writes need it). */
  readonly canWrite: boolean;
  /** The URL to send (a SAS token is appended here). */
  url(url: string): string;
  /** Headers to add; `headers` are the request's final headers (Shared Key signs them). */
  headers(method: string, url: string, headers: HeaderMap, signal?: AbortSignal): Promise<HeaderMap>;
}

export function createAuthorizer(account: string, auth: AzureAuth): RequestAuthorizer {
  switch (auth.kind) {
    case 'sharedKey': {
      const signer: SharedKeySigner = createSharedKeySigner(account, auth.accountKey);
      return {
        canWrite: true,
        url: (url) => url,
        headers: async (method, url, headers) => ({ authorization: await signer.authorization(method, url, headers) }),
      };
    }
    case 'sas': {
      const token = auth.token.replace(/^\?/, '');
      return {
        canWrite: true,
        url: (url) => (token === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${token}`),
        headers: async () => ({}),
      };
    }
    case 'bearer':
      return {
        canWrite: true,
        url: (url) => url,
        headers: async (_method, _url, _headers, signal) => ({ authorization: `Bearer ${await auth.provider.token({ signal })}` }),
      };
    case 'none':
      return { canWrite: false, url: (url) => url, headers: async () => ({}) };
  }
}

/** A provider that always hands out one token (tests, and tokens managed outside the gateway). */
export function staticTokenProvider(token: string): AzureTokenProvider {
  return { token: async () => token };
}
