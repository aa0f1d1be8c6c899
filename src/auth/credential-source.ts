/**
 * Credential sources: where the SigV4 authenticator finds the secret and the
 * identity behind an access key id. Sources are tried in order and the first
 * that knows the key id answers; long-lived access keys are one source,
 * session credentials another.
 */
import { S3Error } from '../core/errors/s3-error.ts';
import type { PrincipalIdentity } from '../core/identity.ts';
import { type AccessKeyLookup, keyUsability } from './access-keys.ts';

export interface ResolvedCredentials {
  /** Never logged. */
  secretAccessKey: string;
  identity: PrincipalIdentity;
}

export interface CredentialSource {
  /**
   * The credentials for `accessKeyId`, or null when this source does not know
   * it. Known but unusable credentials throw an `S3Error` (403
   * InvalidAccessKeyId, InvalidToken, ExpiredToken): a signed request is never
   * downgraded to anonymous.
   */
  resolve(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredentials | null>;
}

export const invalidAccessKey = () => new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');

/** Long-lived access keys from a store: revoked, disabled and expired keys are refused; they carry no session token. */
export function accessKeySource(keys: AccessKeyLookup, now: () => Date, onUsed?: (accessKeyId: string) => void): CredentialSource {
  return {
    async resolve(accessKeyId, sessionToken) {
      const record = await keys.getAccessKey(accessKeyId);
      if (!record) return null;
      if (keyUsability(record, now()) !== 'usable') throw invalidAccessKey();
      if (sessionToken !== undefined) throw new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
      onUsed?.(accessKeyId);
      return {
        secretAccessKey: record.secretAccessKey,
        identity: { kind: 'principal', account: record.account, accessKeyId: record.accessKeyId, ceiling: record.ceiling },
      };
    },
  };
}
