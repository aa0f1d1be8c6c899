/**
 * Session credentials' identity: a principal that always carries its
 * `SessionInfo` (the role it came from and the identity-provider subject
 * that assumed it), for logs and audit.
 */
import type { PrincipalIdentity, SessionInfo } from '../core/identity.ts';

export type { SessionInfo } from '../core/identity.ts';

export type SessionPrincipalIdentity = PrincipalIdentity & { session: SessionInfo };
