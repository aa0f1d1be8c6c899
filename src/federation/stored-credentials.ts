/**
 * A connection's static keys sealed in the policy store
 * (`sluice connections set-credentials`), read on first use and again every
 * `reloadMs` (5 minutes), so replaced keys take effect without a restart.
 * The keys never appear in logs or error bodies: a missing entry is a
 * `BackendAuthenticationError` naming only the connection.
 */
import { BackendAuthenticationError } from '../core/backend-errors.ts';
import type { OutboundSecretStore } from '../policy/outbound-store.ts';
import type { CredentialProvider } from './outbound-credentials.ts';
import { RefreshingCredentials } from './refreshing-credentials.ts';

export const STORED_CREDENTIALS_RELOAD_MS = 5 * 60_000;

export function storedCredentialProvider(
  store: Pick<OutboundSecretStore, 'connectionCredentials'>,
  connection: string,
  now: () => Date,
  reloadMs = STORED_CREDENTIALS_RELOAD_MS,
  onLookup?: (outcome: 'hit' | 'miss') => void,
): CredentialProvider {
  const cache = new RefreshingCredentials(
    async () => {
      const credentials = await store.connectionCredentials(connection);
      if (credentials === null) {
        throw new BackendAuthenticationError('no stored credentials for the connection', { connection });
      }
      // "Expiry" here is only when to read the store again; the refresh runs in the background.
      return { value: credentials, expiresAt: new Date(now().getTime() + 2 * reloadMs) };
    },
    { now, refreshAheadMs: reloadMs, expiryMarginMs: 0, ...(onLookup !== undefined && { onLookup }) },
  );
  return () => cache.get();
}
