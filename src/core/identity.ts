/**
 * Who is calling: the authenticate stage's output, the authorize stage's input.
 */

export interface AnonymousIdentity {
  kind: 'anonymous';
}

export type Identity = AnonymousIdentity;

export const ANONYMOUS: AnonymousIdentity = { kind: 'anonymous' };

/** A short description for access logs; never contains secrets. */
export function describeIdentity(identity: Identity): string {
  return identity.kind;
}
