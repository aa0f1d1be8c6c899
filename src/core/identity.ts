/**
 * Who is calling: the authenticate stage's output, the authorize stage's input.
 */

/** What a request does to data: S3 operations fall into one of two classes. */
export type Action = 'read' | 'write';

/**
 * One permission: actions on a bucket (`*` for any), optionally limited to key
 * prefixes. Account grants and credential ceilings are both lists of these.
 * A prefix `data` covers the key `data` and keys under `data/`, never `data-private/…`.
 */
export interface PermissionStatement {
  /** The bucket as grants name it (`name`, or `account/name` in path-mapped mode), or `*`. */
  bucket: string;
  actions: readonly Action[];
  /** Absent or empty: the whole bucket. */
  prefixes?: readonly string[];
}

export interface AnonymousIdentity {
  kind: 'anonymous';
}

export interface PrincipalIdentity {
  kind: 'principal';
  /** The account the credentials belong to; its live grants apply. */
  account: string;
  accessKeyId: string;
  /** An upper bound on what these credentials may do, intersected with the account's grants. */
  ceiling?: readonly PermissionStatement[];
  /** Present for session credentials: the role they came from and who assumed it. */
  session?: SessionInfo;
}

/** What session credentials say about their holder beyond account and ceiling (for logs and audit). */
export interface SessionInfo {
  /** The role's name within the identity's account. */
  role: string;
  sessionName: string;
  /** The `sub` of the identity token that assumed the role. */
  assumedBy: string;
  /** The `iss` of that token. */
  issuer: string;
  issuedAt: Date;
  expiresAt: Date;
}

export type Identity = AnonymousIdentity | PrincipalIdentity;

export const ANONYMOUS: AnonymousIdentity = { kind: 'anonymous' };

/**
 * A short description for access logs; never contains secrets. Session
 * credentials add their role and session name: `acme:SLSS…:role/deploy/ci-42`.
 */
export function describeIdentity(identity: Identity): string {
  if (identity.kind === 'anonymous') return 'anonymous';
  const base = `${identity.account}:${identity.accessKeyId}`;
  return identity.session ? `${base}:role/${identity.session.role}/${identity.session.sessionName}` : base;
}
