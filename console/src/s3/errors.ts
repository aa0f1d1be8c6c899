/**
 * A refused or failed S3 (or STS) request, with the server's code and message
 * as it sent them, so the console can say exactly why an action was denied.
 */
import { firstText, parseXml } from './xml.ts';

export class S3RequestError extends Error {
  override name = 'S3RequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** An error from a response's XML body (S3's `<Error>` or STS's `<ErrorResponse>`), or from its status alone (HEAD has no body). */
export function errorFromResponse(status: number, body: string, headers?: { get(name: string): string | null }): S3RequestError {
  if (body.trim().startsWith('<')) {
    const doc = parseXml(body);
    const code = firstText(doc, 'Code');
    if (code) return new S3RequestError(status, code, firstText(doc, 'Message') ?? '', firstText(doc, 'RequestId') ?? undefined);
  }
  const byStatus: Record<number, [string, string]> = {
    403: ['AccessDenied', 'Access Denied'],
    404: ['NotFound', 'Not Found'],
    412: ['PreconditionFailed', 'At least one of the preconditions you specified did not hold'],
  };
  const [code, message] = byStatus[status] ?? [`HTTP${status}`, body.slice(0, 200) || `The server answered ${status}`];
  return new S3RequestError(status, code, message, headers?.get('x-amz-request-id') ?? undefined);
}
