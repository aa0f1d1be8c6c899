/**
 * The credential source for session credentials (`SLSS…` key ids). It keeps
 * no state: the session token proves what the session may do, and the secret
 * is re-derived from the key id. Anything wrong with a session key is a
 * refusal, never a fall-back to anonymous:
 *
 * - no session token → 403 InvalidAccessKeyId (as S3 answers a temporary key
 *   sent without its token);
 * - an expired token → ExpiredToken;
 * - a token that does not verify, or belongs to another key id → InvalidToken;
 * - session keys kept in the store, none made yet → InvalidAccessKeyId.
 */
import { S3Error } from '../core/errors/s3-error.ts';
import type { CredentialSource, ResolvedCredentials } from '../auth/credential-source.ts';
import { deriveSessionSecret, isSessionKeyId } from './session-access-key.ts';
import type { SessionPrincipalIdentity } from './session-identity.ts';
import type { SessionKeyring } from './session-keyring.ts';
import { asKeyringSource, NoSessionKeysError, type SessionKeyringSource } from './session-keyring-source.ts';
import { verifySessionToken } from './session-token.ts';

export interface SessionCredentialSourceOptions {
  /** Fixed keys, or keys read from the policy store (reloaded once when a credential names a version or `kid` they lack). */
  keyring: SessionKeyring | SessionKeyringSource;
  now: () => Date;
  /** Verified tokens remembered, so a busy session costs one signature check (default 1024). */
  cacheSize?: number;
}

const invalidKeyId = () => new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
const invalidToken = () => new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
const expiredToken = () => new S3Error('ExpiredToken', 'The provided token has expired.');

export class SessionCredentialSource implements CredentialSource {
  private readonly cache = new Map<string, { credentials: ResolvedCredentials; expiresAt: number }>();
  private readonly cacheSize: number;
  private readonly keyring: SessionKeyringSource;

  constructor(private readonly options: SessionCredentialSourceOptions) {
    this.cacheSize = options.cacheSize ?? 1024;
    this.keyring = asKeyringSource(options.keyring);
  }

  async resolve(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredentials | null> {
    if (!isSessionKeyId(accessKeyId)) return null;
    if (sessionToken === undefined || sessionToken === '') throw invalidKeyId();
    const now = this.options.now().getTime();
    const cacheKey = `${accessKeyId}\n${sessionToken}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      if (now >= cached.expiresAt) {
        this.cache.delete(cacheKey);
        throw expiredToken();
      }
      return cached.credentials;
    }
    // No keys yet means no session was ever issued here: the key id is unknown, not a fault.
    let keyring = await this.keyring.current().catch((error: unknown) => {
      throw error instanceof NoSessionKeysError ? invalidKeyId() : error;
    });
    let secretAccessKey = await deriveSessionSecret(keyring, accessKeyId);
    let check = await verifySessionToken(keyring, sessionToken, new Date(now));
    if ((secretAccessKey === undefined || (!check.ok && check.reason === 'invalid'))) {
      // Perhaps a version another server already uses: read the keys again (rate-limited) before refusing.
      const fresher = await this.keyring.reload();
      if (fresher && fresher !== keyring) {
        keyring = fresher;
        secretAccessKey = await deriveSessionSecret(keyring, accessKeyId);
        check = await verifySessionToken(keyring, sessionToken, new Date(now));
      }
    }
    if (secretAccessKey === undefined) throw invalidKeyId();
    if (!check.ok) throw check.reason === 'expired' ? expiredToken() : invalidToken();
    const claims = check.claims;
    if (claims.access_key_id !== accessKeyId) throw invalidToken();
    const identity: SessionPrincipalIdentity = {
      kind: 'principal',
      account: claims.account_id,
      accessKeyId,
      ceiling: claims.ceiling,
      session: {
        role: claims.role_name,
        sessionName: claims.session_name,
        assumedBy: claims.assumed_by,
        issuer: claims.assumed_by_issuer,
        issuedAt: new Date(claims.iat * 1000),
        expiresAt: new Date(claims.exp * 1000),
      },
    };
    const credentials: ResolvedCredentials = { secretAccessKey, identity };
    this.remember(cacheKey, credentials, claims.exp * 1000);
    return credentials;
  }

  private remember(key: string, credentials: ResolvedCredentials, expiresAt: number): void {
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { credentials, expiresAt });
  }
}
