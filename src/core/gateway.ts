/**
 * `createGateway`: the runtime-agnostic core. A `GatewayRequest` goes through
 * route → parse → authenticate → resolve → authorize → dispatch and comes
 * back as a `GatewayResponse` whose body streams straight from the backend.
 */
import { type AccessPolicy, publicOnlyPolicy } from './access-policy.ts';
import { type AccessRecord, accessLogger } from './access-log.ts';
import { type Authenticator, anonymousOnly } from './authenticate.ts';
import { authorizeOperation } from './authorize.ts';
import type { Backend } from './backend.ts';
import type { BucketRegistry } from './bucket-registry.ts';
import type { SluiceConfig } from './config.ts';
import { compileCors } from './cors.ts';
import { renderS3Error } from './errors/error-response.ts';
import { toS3Error } from './errors/to-s3-error.ts';
import { S3Error } from './errors/s3-error.ts';
import type { RequestContext } from './handlers/context.ts';
import { dispatch } from './handlers/dispatch.ts';
import type { GatewayRequest, GatewayResponse } from './http.ts';
import { describeIdentity } from './identity.ts';
import { Resolver } from './bucket-resolver.ts';
import { type ResolutionStore, StaticResolutionStore } from './resolution-store.ts';
import { type Readiness, type SpecialRoute, createRouteTable, healthRoutes } from './routes.ts';
import { type RuntimeContext, defaultRuntime, requestIdGenerator } from './runtime.ts';
import { ListTokenCodec } from './s3/list-token.ts';
import { UploadIdCodec } from './multipart/upload-id.ts';
import { parseS3Request } from './s3/parse-request.ts';
import { planOperation } from './s3/targets.ts';

export interface GatewayOptions {
  config: SluiceConfig;
  /** One backend per connection name. */
  backends: ReadonlyMap<string, Backend>;
  /** Where bucket names resolve; defaults to the config's buckets. */
  resolution?: ResolutionStore;
  authenticate?: Authenticator;
  /** Buckets clients create and delete (CreateBucket, DeleteBucket); without it every such request is refused. */
  buckets?: BucketRegistry;
  /** Who may do what; defaults to anonymous read of public buckets only. */
  policy?: AccessPolicy;
  runtime?: Partial<RuntimeContext>;
  /** Readiness for `/.ready` (false while draining). */
  isReady?: () => boolean;
  /** Endpoints served before S3 (STS, discovery, management), after health and readiness. */
  routes?: readonly SpecialRoute[];
}

export interface Gateway {
  handle(req: GatewayRequest): Promise<GatewayResponse>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const runtime = defaultRuntime(options.runtime);
  const nextRequestId = requestIdGenerator(runtime);
  const log = accessLogger(runtime, config.server.accessLog);
  const cors = compileCors(config.server.cors);
  const authenticate = options.authenticate ?? anonymousOnly;
  const policy = options.policy ?? publicOnlyPolicy;
  const resolver = new Resolver(options.resolution ?? new StaticResolutionStore(config.buckets), options.backends, config.server.addressing);
  const secret = config.server.tokenSecret !== undefined
    ? new TextEncoder().encode(config.server.tokenSecret)
    : runtime.randomBytes(new Uint8Array(32));
  const tokens = new ListTokenCodec(secret);
  const uploadIds = new UploadIdCodec(secret);
  const startedAt = runtime.now();
  const isReady = options.isReady ?? (() => true);
  const readiness = (): Readiness => {
    if (!isReady()) return { ready: false, status: 'draining' };
    const connections: Record<string, string> = {};
    let degraded = false;
    for (const [name, backend] of options.backends) {
      const circuit = backend.circuitState?.();
      if (!circuit || circuit.state === 'closed') continue;
      connections[name] = circuit.state;
      if (circuit.state === 'open' && circuit.affectsReadiness) degraded = true;
    }
    const report = Object.keys(connections).length > 0 ? { connections } : {};
    return degraded ? { ready: false, status: 'degraded', ...report } : { ready: true, status: 'ready', ...report };
  };
  const routes = createRouteTable([...healthRoutes(readiness), ...(options.routes ?? [])], config.server.virtualHostDomain);
  const parseOptions = { virtualHostDomain: config.server.virtualHostDomain };

  async function route(req: GatewayRequest, requestId: string, record: AccessRecord): Promise<GatewayResponse> {
    const special = routes.match(req);
    if (special) {
      record.op = special.op;
      return special.handle(req, { requestId, now: runtime.now, log: runtime.log, clientIp: req.client.ip });
    }
    if (req.method === 'OPTIONS') {
      record.op = 'PreflightRequest';
      return cors.preflight(req);
    }
    const op = parseS3Request(req, parseOptions);
    record.op = op.name === 'Unsupported' ? op.operation : op.name;
    if ('bucket' in op) record.bucket = op.bucket;
    if ('key' in op) record.key = op.key;
    // Authentication comes first for every S3 request: a bad signature is 403 whatever the operation.
    const { identity, body, trailers } = await authenticate(req);
    record.identity = describeIdentity(identity);
    if (identity.kind === 'principal' && identity.session) {
      const { session } = identity;
      record.role = `${identity.account}::role/${session.role}`;
      record.sessionName = session.sessionName;
      record.assumedBy = session.assumedBy;
      record.assumedByIssuer = session.issuer;
    }
    const authorized = await authorizeOperation({ identity, policy, resolver, ...(options.buckets && { buckets: options.buckets }) }, planOperation(op));
    // Only a rewrapped body makes a new request object (the Node adapter's signal is a lazy getter).
    const ctx: RequestContext = { req: body === req.body ? req : { ...req, body }, trailers, identity, requestId, config, resolver, policy, tokens, uploadIds, startedAt };
    return dispatch(ctx, authorized);
  }

  function failure(error: unknown, req: GatewayRequest, requestId: string, record: AccessRecord): GatewayResponse {
    if (req.signal?.aborted) {
      // The client went away (mid-upload, or before the answer was ready): nobody to answer, nothing went wrong here.
      record.error = 'ClientDisconnected';
      return { status: CLIENT_CLOSED_REQUEST, headers: {} };
    }
    let s3Error = toS3Error(error);
    if (!s3Error) {
      runtime.log.write({ level: 'error', msg: 'internal error', requestId, error: describeError(error) });
      s3Error = new S3Error('InternalError', 'We encountered an internal error. Please try again.');
    }
    record.error = s3Error.code;
    // A 503's detail (refused, reset, timeout, the store's own answer) belongs in this request's log line only.
    const cause = (error as { cause?: unknown } | null)?.cause;
    if (s3Error.status >= 500 && cause !== undefined) record.cause = cause;
    return renderS3Error(s3Error, { resource: resourceOf(req), requestId, method: req.method });
  }

  return {
    async handle(req) {
      const started = performance.now();
      const requestId = nextRequestId();
      const record: AccessRecord = { requestId, method: req.method, op: 'Unknown', identity: 'anonymous', status: 0, ip: req.client.ip };
      let response: GatewayResponse;
      try {
        response = await route(req, requestId, record);
      } catch (error) {
        response = failure(error, req, requestId, record);
      }
      response.headers['x-amz-request-id'] = requestId;
      cors.decorate(req, response.headers);
      record.status = response.status;
      response.done = log(record, started);
      return response;
    },
  };
}

/** The status access logs conventionally record for a request whose client left before the answer. */
const CLIENT_CLOSED_REQUEST = 499;

function resourceOf(req: GatewayRequest): string {
  try {
    return decodeURIComponent(req.rawPath);
  } catch {
    return req.rawPath;
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause === undefined) return `${error.name}: ${error.message}`;
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : JSON.stringify(cause);
  return `${error.name}: ${error.message} (cause: ${detail})`;
}
