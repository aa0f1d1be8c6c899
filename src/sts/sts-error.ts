/**
 * STS errors: one code → HTTP status table, following the AWS STS API
 * Reference (AssumeRoleWithWebIdentity "Errors" and "Common Errors"), and the
 * `<ErrorResponse>` envelope STS answers with, which the AWS SDKs parse.
 */
import { bytesBody } from '../core/body.ts';
import type { GatewayResponse } from '../core/http.ts';
import { escapeXml } from '../core/s3/xml.ts';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const STATUS_BY_CODE = {
  ExpiredTokenException: 400,
  IDPCommunicationError: 400,
  IDPRejectedClaim: 403,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidIdentityToken: 400,
  InvalidParameterValue: 400,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingParameter: 400,
  ServiceUnavailable: 503,
  ValidationError: 400,
} as const satisfies Record<string, number>;

export type StsErrorCode = keyof typeof STATUS_BY_CODE;

export class StsError extends Error {
  override name = 'StsError';
  readonly status: number;

  constructor(
    readonly code: StsErrorCode,
    message: string,
    /** Operator-facing detail for the audit log; never shown to the caller. */
    readonly detail: string = message,
    status?: number,
  ) {
    super(message);
    this.status = status ?? STATUS_BY_CODE[code];
  }
}

/** The `<ErrorResponse>` document: `Type` is Sender for the caller's mistakes, Receiver for ours. */
export function renderStsError(error: StsError, requestId: string, headers: Record<string, string> = {}): GatewayResponse {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${STS_NAMESPACE}">` +
    `<Error><Type>${type}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
  return xmlResponse(error.status, xml, requestId, headers);
}

export function xmlResponse(status: number, xml: string, requestId: string, headers: Record<string, string> = {}): GatewayResponse {
  const bytes = new TextEncoder().encode(xml);
  return {
    status,
    headers: { 'content-type': 'text/xml', 'content-length': String(bytes.byteLength), 'x-amzn-requestid': requestId, ...headers },
    body: bytesBody(bytes),
  };
}
