/**
 * Interfaces shared with the gateway's composition: credential sources for
 * the authenticate stage, and special routes that render their own errors.
 */
import type { GatewayRequest, GatewayResponse } from '../core/http.ts';
import type { PrincipalIdentity } from '../core/identity.ts';
import type { LogSink } from '../core/runtime.ts';

// Authentication's credential sources: tried in order; the first non-null answer wins.
export interface ResolvedCredentials { secretAccessKey: string; identity: PrincipalIdentity; }
export interface CredentialSource {
  /** null when this source does not know the key id; throws an S3Error (403 InvalidToken, ExpiredToken, InvalidAccessKeyId) for known-but-unusable credentials. */
  resolve(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredentials | null>;
}
// A special route: renders its own error envelope.
export interface RouteContext { requestId: string; now(): Date; log: LogSink; clientIp?: string }
export interface SpecialRoute { op: string; /** exact path, or a prefix when it ends in '/' */ path: string; handle(req: GatewayRequest, ctx: RouteContext): Promise<GatewayResponse>; }
