/**
 * What a session credential says about its holder beyond account and ceiling:
 * the role it came from and the identity-provider subject that assumed it.
 * Travels on the identity (`PrincipalIdentity.session`) for logs and audit.
 */
import type { PrincipalIdentity } from '../core/identity.ts';

export interface SessionInfo {
  /** The role's name within the identity's account. */
  role: string;
  sessionName: string;
  /** The `sub` of the identity token that assumed the role. */
  assumedBy: string;
  /** The `iss` of that token. */
  issuer: string;
  expiresAt: Date;
}

export type SessionPrincipalIdentity = PrincipalIdentity & { session: SessionInfo };
