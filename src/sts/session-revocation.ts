/**
 * Revoked sessions: deny-list entries that refuse session credentials issued
 * up to the moment of revocation, by session access key id, by role or by
 * account. Session credentials are stateless, so an entry only has to
 * outlive the sessions it refuses: it expires when the longest session it
 * could match has expired. Sessions issued after the revocation are not
 * affected (revoking a role's sessions does not disable the role).
 */
import type { CredentialSource } from '../auth/credential-source.ts';
import { S3Error } from '../core/errors/s3-error.ts';
import type { PrincipalIdentity } from '../core/identity.ts';
import { MAX_SESSION_SECONDS } from './role.ts';

export type RevocationKind = 'access-key' | 'role' | 'account';

export interface SessionRevocation {
  kind: RevocationKind;
  /** A session access key id, a role URN (`account::role/name`), or an account. */
  value: string;
  revokedAt: Date;
  /** When every session the entry could match has expired; the entry can be dropped then. */
  expiresAt: Date;
}

/** Where revocations are written (the SQLite store) and read. */
export interface SessionRevocationStore {
  /** Entries not yet expired at `now`. */
  listSessionRevocations(now: Date): Promise<SessionRevocation[]>;
  addSessionRevocation(entry: SessionRevocation): Promise<void>;
}

/** An entry revoking, at `now`, every matching session issued so far; it lasts as long as the longest possible session. */
export function newRevocation(kind: RevocationKind, value: string, now: Date, maxSessionSeconds = MAX_SESSION_SECONDS): SessionRevocation {
  return { kind, value, revokedAt: now, expiresAt: new Date(now.getTime() + maxSessionSeconds * 1000) };
}

/** Whether `identity` is a session that one of `entries` refuses. */
export function isRevoked(identity: PrincipalIdentity, entries: readonly SessionRevocation[]): boolean {
  const session = identity.session;
  if (!session) return false;
  const role = `${identity.account}::role/${session.role}`;
  return entries.some((entry) => {
    // A revocation covers sessions issued up to (and in) the second it was made: session times are whole seconds.
    if (session.issuedAt.getTime() > entry.revokedAt.getTime()) return false;
    if (entry.kind === 'access-key') return entry.value === identity.accessKeyId;
    if (entry.kind === 'role') return entry.value === role;
    return entry.value === identity.account;
  });
}

/**
 * The session credential source with the deny list applied. `entries` is
 * read through the policy cache; with no entries the check is one cached
 * lookup and an empty loop.
 */
export function revocationCheckedSource(source: CredentialSource, entries: () => Promise<readonly SessionRevocation[]>): CredentialSource {
  return {
    async resolve(accessKeyId, sessionToken) {
      const resolved = await source.resolve(accessKeyId, sessionToken);
      if (!resolved) return null;
      const list = await entries();
      if (list.length > 0 && isRevoked(resolved.identity, list)) {
        throw new S3Error('AccessDenied', 'Access Denied');
      }
      return resolved;
    },
  };
}
