/**
 * Why an inbound identity token was refused, as a stable code the STS handler
 * maps to its own error codes. The message is safe to show the caller; the
 * detail (for audit logs only) may say more.
 */

export type OidcErrorCode =
  | 'token_malformed'
  | 'bad_signature'
  | 'audience_mismatch'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'issuer_untrusted'
  | 'jwks_unreachable';

export class OidcError extends Error {
  override name = 'OidcError';

  constructor(
    readonly code: OidcErrorCode,
    message: string,
    /** Operator-facing detail for the audit log; never shown to the caller. */
    readonly detail: string = message,
  ) {
    super(message);
  }
}
