/**
 * The Workers fetch handler over the portable app: on the first request in
 * an isolate it validates the configuration and builds the app (policy
 * cache, authentication, backends) once; every request then goes through
 * `toFetchHandler`, after an up-front check of its declared body size, and
 * keeps its invocation alive (`ctx.waitUntil`) until the background work
 * the app started has settled.
 */
import { type App, createApp } from '../../app/create-app.ts';
import { toWebStream } from '../../core/body.ts';
import { renderS3Error } from '../../core/errors/error-response.ts';
import { S3Error } from '../../core/errors/s3-error.ts';
import { toFetchHandler } from '../../core/fetch-handler.ts';
import type { Gateway } from '../../core/gateway.ts';
import type { GatewayResponse } from '../../core/http.ts';
import { type LogSink, requestIdGenerator } from '../../core/runtime.ts';
import { type BackgroundWork, createBackgroundWork } from './background.ts';
import { maxRequestBodyBytes, refuseOversizedBody } from './body-limit.ts';
import { loadWorkersConfig } from './config.ts';
import { consoleLog, createWorkersServices } from './services.ts';
import { type ConsoleManifestEntry, decodeEmbeddedAssets } from '../../console/console-assets.ts';
import { fixedLengthResponse } from './fixed-length-fetch.ts';

/** The part of Workers' `ExecutionContext` the handler uses. */
export interface WaitUntilContext {
  waitUntil(work: Promise<unknown>): void;
}

export interface WorkerOptions {
  /** The configuration text (e.g. a YAML file imported as a text module); the `SLUICE_CONFIG` binding when absent. */
  config?: string;
  /** Where access-log and audit events go; JSON lines on the console when absent. */
  log?: LogSink;
  /** The console's files as the Workers build embeds them; without them an enabled console is refused. */
  consoleAssets?: readonly ConsoleManifestEntry[];
}

export interface SluiceWorker {
  fetch(request: Request, env: Record<string, unknown>, ctx: WaitUntilContext): Promise<Response>;
}

interface Running {
  app: App;
  bodyLimit: number;
}

function toResponse(response: GatewayResponse): Response {
  return new Response(response.body ? toWebStream(response.body) : null, { status: response.status, headers: response.headers });
}

/** The gateway, with each response's `done` (access log written) followed by a drain kept alive for this request. */
function keepingAlive(gateway: Gateway, background: BackgroundWork, ctx: WaitUntilContext): Gateway {
  return {
    async handle(request) {
      const response = await gateway.handle(request);
      const done = response.done;
      if (!done) return response;
      return {
        ...response,
        done(result) {
          done(result);
          ctx.waitUntil(background.drained());
        },
      };
    },
  };
}

export function createWorker(options: WorkerOptions = {}): SluiceWorker {
  const log = options.log ?? consoleLog;
  const background = createBackgroundWork();
  let bindings: Record<string, unknown> = {};
  const embedded = options.consoleAssets;
  const services = {
    ...createWorkersServices(background, log, () => bindings),
    ...(embedded && { consoleAssets: async () => decodeEmbeddedAssets(embedded) }),
  };
  let running: Promise<Running> | undefined;
  // Ids for answers given before the gateway (which numbers its own); made on first use, as
  // randomness is not available in a Worker's global scope.
  let ids: (() => string) | undefined;
  const nextRequestId = () => (ids ??= requestIdGenerator(services.runtime))();

  const start = async (env: Record<string, unknown>): Promise<Running> => {
    bindings = env;
    const config = loadWorkersConfig(env, options.config);
    const bodyLimit = maxRequestBodyBytes(env);
    return { app: await createApp(config, services), bodyLimit };
  };

  return {
    async fetch(request, env, ctx) {
      // Built once per isolate; a failed start (a bad configuration) stays failed until the Worker is redeployed.
      running ??= start(env).catch((error: unknown) => {
        log.write({ level: 'error', msg: 'the gateway cannot start', error: error instanceof Error ? error.message : String(error) });
        throw error;
      });
      let current: Running;
      try {
        current = await running;
      } catch {
        const requestId = nextRequestId();
        const failure = new S3Error('InternalError', 'We encountered an internal error. Please try again.');
        const response = renderS3Error(failure, { resource: new URL(request.url).pathname, requestId, method: request.method });
        return toResponse({ ...response, headers: { ...response.headers, 'x-amz-request-id': requestId } });
      }
      const refusal = refuseOversizedBody(request, current.bodyLimit, nextRequestId());
      if (refusal) {
        log.write({ level: 'info', msg: 'request body over the limit', requestId: refusal.headers['x-amz-request-id'], method: request.method, contentLength: request.headers.get('content-length'), limit: current.bodyLimit });
        return toResponse(refusal);
      }
      const clientIp = request.headers.get('cf-connecting-ip') ?? undefined;
      const handler = toFetchHandler(keepingAlive(current.app.gateway, background, ctx));
      const response = await handler(request, clientIp === undefined ? {} : { ip: clientIp });
      ctx.waitUntil(background.drained());
      return fixedLengthResponse(response);
    },
  };
}
