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
import { type Identity, describeIdentity } from './identity.ts';
import { clientIpResolver } from './limits/client-ip.ts';
import type { LimitSubject } from './limits/rate-limiter.ts';
import type { AuthKind, GatewayMetrics } from './metrics/gateway-metrics.ts';
import { timeBackend } from './metrics/timed-backend.ts';
import type { UsageRecord } from './metering/usage-record.ts';
import { Resolver } from './bucket-resolver.ts';
import { type ResolutionStore, StaticResolutionStore } from './resolution-store.ts';
import { type Readiness, type SpecialRoute, createRouteTable, healthRoutes } from './routes.ts';
import type { RangeCache } from './range-cache/range-cache.ts';
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
  /** Request, backend and cache series; absent: no metrics. */
  metrics?: GatewayMetrics;
  /** Add `Server-Timing` (the backend's share and the total to the response headers). */
  serverTiming?: boolean;
  /**
   * Admission, once the caller is known and before authorization or any
   * backend call: rate limits and quotas. Throws an `S3Error` to refuse.
   */
  admit?: (subject: AdmissionSubject) => Promise<void>;
  /** Each request's usage once its response has been sent or abandoned (quota settlement, metering). */
  onUsage?: (usage: UsageRecord) => void;
  /** The hot-range cache for ranged GETs of buckets configured with one. */
  rangeCache?: RangeCache;
}

/** What admission knows about an S3 request. */
export interface AdmissionSubject extends LimitSubject {
  method: string;
  operation: string;
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
  const { metrics, admit, onUsage } = options;
  const serverTiming = options.serverTiming === true;
  const backends = metrics ? timedBackends(options.backends, metrics) : options.backends;
  const resolver = new Resolver(options.resolution ?? new StaticResolutionStore(config.buckets), backends, config.server.addressing);
  const clientIpOf = clientIpResolver(config.server.trustedProxies ?? []);
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

  async function route(req: GatewayRequest, requestId: string, record: AccessRecord, state: RequestState): Promise<GatewayResponse> {
    const special = routes.match(req);
    if (special) {
      record.op = special.op;
      return special.handle(req, { requestId, now: runtime.now, log: runtime.log, clientIp: record.ip });
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
    state.identity = identity;
    record.identity = describeIdentity(identity);
    if (identity.kind === 'principal' && identity.session) {
      const { session } = identity;
      record.role = `${identity.account}::role/${session.role}`;
      record.sessionName = session.sessionName;
      record.assumedBy = session.assumedBy;
      record.assumedByIssuer = session.issuer;
    }
    if (admit) await admit({ identity, clientIp: record.ip, bucket: record.bucket, method: req.method, operation: record.op });
    const requestResolver = serverTiming ? resolver.timed((ms) => (state.backendMs += ms)) : resolver;
    const authorized = await authorizeOperation({ identity, policy, resolver: requestResolver, ...(options.buckets && { buckets: options.buckets }) }, planOperation(op));
    state.authorized = true;
    // Only a rewrapped body makes a new request object (the Node adapter's signal is a lazy getter).
    const ctx: RequestContext = { req: body === req.body ? req : { ...req, body }, trailers, identity, requestId, config, resolver: requestResolver, policy, tokens, uploadIds, startedAt, rangeCache: options.rangeCache };
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

  /** Runs once per request when its body has been sent or abandoned: access log, metrics, usage. */
  function completion(req: GatewayRequest, record: AccessRecord, state: RequestState, started: number, arrived: Date) {
    const logged = log(record, started);
    if (!metrics && !onUsage) return logged;
    let finished = false;
    return (done: { bytes: number; aborted: boolean }) => {
      if (finished) return;
      finished = true;
      logged?.(done);
      const durationMs = performance.now() - started;
      const bytesIn = declaredLength(req);
      if (metrics) {
        metrics.observeRequest({
          operation: record.op,
          status: record.status,
          auth: authKind(state.identity),
          ...(state.authorized && record.bucket !== undefined && { bucket: record.bucket }),
          durationSeconds: durationMs / 1000,
          bytesIn,
          bytesOut: done.bytes,
        });
      }
      if (onUsage) {
        const identity = state.identity;
        onUsage({
          time: arrived.toISOString(),
          requestId: record.requestId,
          ...(identity?.kind === 'principal' && { account: identity.account, accessKeyId: identity.accessKeyId }),
          ...(record.bucket !== undefined && { bucket: record.bucket }),
          operation: record.op,
          method: record.method,
          status: record.status,
          bytesIn,
          bytesOut: done.bytes,
          durationMs: Math.round(durationMs * 1000) / 1000,
          ...(done.aborted && { aborted: true }),
        });
      }
    };
  }

  return {
    async handle(req) {
      const started = performance.now();
      const arrived = onUsage ? runtime.now() : EPOCH;
      const requestId = nextRequestId();
      const ip = clientIpOf(req.client.ip, req.headers['x-forwarded-for']);
      const record: AccessRecord = { requestId, method: req.method, op: 'Unknown', identity: 'anonymous', status: 0, ip };
      const state: RequestState = { backendMs: 0, authorized: false };
      metrics?.requestStarted();
      let response: GatewayResponse;
      try {
        response = await route(req, requestId, record, state);
      } catch (error) {
        response = failure(error, req, requestId, record);
      }
      response.headers['x-amz-request-id'] = requestId;
      if (serverTiming) response.headers['server-timing'] = `backend;dur=${state.backendMs.toFixed(1)}, total;dur=${(performance.now() - started).toFixed(1)}`;
      cors.decorate(req, response.headers);
      record.status = response.status;
      response.done = completion(req, record, state, started, arrived);
      return response;
    },
  };
}

/** What the pipeline learns about a request on its way, for metrics and usage records. */
interface RequestState {
  identity?: Identity;
  /** Passed the authorize stage: its bucket is a real one (a label the metrics may use). */
  authorized: boolean;
  /** Time spent in backend calls (with `Server-Timing` on). */
  backendMs: number;
}

const EPOCH = new Date(0);

function authKind(identity: Identity | undefined): AuthKind {
  if (!identity) return 'unauthenticated';
  if (identity.kind === 'anonymous') return 'anonymous';
  return identity.session ? 'session' : 'access_key';
}

/** Request body bytes as the client declared them (0 without a body). */
function declaredLength(req: GatewayRequest): number {
  const length = req.headers['content-length'];
  if (length === undefined || req.body === undefined) return 0;
  const n = Number(length);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** Each connection's backend with its calls timed into the backend latency histogram. */
function timedBackends(backends: ReadonlyMap<string, Backend>, metrics: GatewayMetrics): ReadonlyMap<string, Backend> {
  return new Map([...backends].map(([connection, backend]) => [
    connection,
    timeBackend(backend, metrics.backendTimer(connection)),
  ]));
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
