/**
 * The one place the gateway behaviour suite constructs anything from `src/`:
 * the three adapters (the core called directly, the core behind
 * `toFetchHandler` with the fetch-based HTTP client, the Node server over real
 * HTTP) and the backends they run over (memory, fs in a temporary folder,
 * Azure over Azurite, S3 over a local peer). When construction changes, it
 * changes here only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessKeySource } from '../../src/auth/credential-source.ts';
import { createSigV4Authenticator } from '../../src/auth/sigv4-authenticator.ts';
import { createGrantPolicy } from '../../src/authz/grant-policy.ts';
import { FsBackend } from '../../src/backends/fs/fs-backend.ts';
import { AzureBackend } from '../../src/backends/azure/azure-backend.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { bytesBody, discardBody, readAll, toWebStream } from '../../src/core/body.ts';
import { toFetchHandler } from '../../src/core/fetch-handler.ts';
import { createFetchHttpClient } from '../../src/core/fetch-http-client.ts';
import { type Gateway, createGateway } from '../../src/core/gateway.ts';
import type { GatewayRequest, HttpClient } from '../../src/core/http.ts';
import type { LogSink } from '../../src/core/runtime.ts';
import { ConfigPolicyStore } from '../../src/policy/config-store.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { startServer } from '../../src/runtimes/node/server.ts';
import { startAzurite, type AzuritePeer } from '../peers/azurite-peer.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';
import { verifyingHttpClient } from '../peers/verifying-http-client.ts';
import type {
  BackendMaker,
  BackendUnderTest,
  GatewayAdapter,
  GatewaySetup,
  GatewayUnderTest,
  SuiteRequest,
  SuiteResponse,
} from './gateway-under-test.ts';

/** In-process adapters have no network address; requests are signed for this origin. */
const IN_PROCESS_ORIGIN = 'http://gateway.test';

/** Errors the gateway logs stay out of the test output. */
const quietLog: LogSink = { write: () => {} };

const decoder = new TextDecoder();

function suiteResponse(status: number, headers: Record<string, string>, body: Uint8Array): SuiteResponse {
  return { status, headers, body, text: () => decoder.decode(body) };
}

function bodyBytes(body: SuiteRequest['body']): Uint8Array | undefined {
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** Lower-case headers, with Content-Length added for a body as an HTTP client would. */
function requestHeaders(request: SuiteRequest, body: Uint8Array | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  if (body !== undefined) headers['content-length'] ??= String(body.byteLength);
  return headers;
}

/**
 * The gateway as a Workers-style composition root builds it: the config's
 * buckets, accounts and keys as the policy store, SigV4 with WebCrypto, the
 * grant-based policy.
 */
function inProcessGateway(setup: GatewaySetup): Gateway {
  const store = new ConfigPolicyStore(setup.config);
  return createGateway({
    config: setup.config,
    backends: setup.backends,
    resolution: store,
    authenticate: createSigV4Authenticator({ sources: [accessKeySource(store, () => new Date())], allowedRegions: setup.config.server.allowedRegions }),
    policy: createGrantPolicy(store, setup.config.server.addressing),
    runtime: { log: quietLog },
  });
}

/** (a) `createGateway` called directly with `GatewayRequest` / `GatewayResponse`. */
export const directAdapter: GatewayAdapter = {
  name: 'direct',
  async start(setup) {
    const gateway = inProcessGateway(setup);
    const toGatewayRequest = (request: SuiteRequest, signal?: AbortSignal): GatewayRequest => {
      const body = bodyBytes(request.body);
      const q = request.target.indexOf('?');
      return {
        method: request.method ?? 'GET',
        rawPath: q === -1 ? request.target : request.target.slice(0, q),
        rawQuery: q === -1 ? '' : request.target.slice(q + 1),
        headers: { host: new URL(IN_PROCESS_ORIGIN).host, ...requestHeaders(request, body) },
        body: body && bytesBody(body.slice()),
        client: { ip: '127.0.0.1' },
        signal,
      };
    };
    return {
      origin: IN_PROCESS_ORIGIN,
      async send(request) {
        const response = await gateway.handle(toGatewayRequest(request));
        // As a runtime does: no body goes out for HEAD, whatever the core hands back.
        let body: Uint8Array = new Uint8Array();
        if (response.body && (request.method ?? 'GET') !== 'HEAD') body = await readAll(response.body);
        else discardBody(response.body);
        response.done?.({ bytes: body.byteLength, aborted: false });
        return suiteResponse(response.status, { ...response.headers }, body);
      },
      async abandonAfterFirstBytes(request) {
        const client = new AbortController();
        const response = await gateway.handle(toGatewayRequest(request, client.signal));
        if (response.body) {
          const reader = toWebStream(response.body).getReader();
          await reader.read();
          client.abort(new Error('client went away'));
          await reader.cancel(new Error('client went away'));
        }
        response.done?.({ bytes: 0, aborted: true });
        return response.status;
      },
      close: async () => {},
    };
  },
};

/** (b) `toFetchHandler(gateway)` with Web `Request` / `Response`; S3 backends use `createFetchHttpClient`. */
export const fetchAdapter: GatewayAdapter = {
  name: 'fetch',
  async start(setup) {
    const handler = toFetchHandler(inProcessGateway(setup));
    const toRequest = (request: SuiteRequest, signal?: AbortSignal) => {
      const body = bodyBytes(request.body);
      return new Request(`${IN_PROCESS_ORIGIN}${request.target}`, {
        method: request.method ?? 'GET',
        headers: requestHeaders(request, body),
        body: body?.slice(),
        signal,
        duplex: 'half',
      } as RequestInit);
    };
    return {
      origin: IN_PROCESS_ORIGIN,
      async send(request) {
        const response = await handler(toRequest(request), { ip: '127.0.0.1' });
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return suiteResponse(response.status, headers, new Uint8Array(await response.arrayBuffer()));
      },
      async abandonAfterFirstBytes(request) {
        const client = new AbortController();
        const response = await handler(toRequest(request, client.signal), { ip: '127.0.0.1' });
        if (response.body) {
          const reader = response.body.getReader();
          await reader.read();
          client.abort(new Error('client went away'));
          await reader.cancel(new Error('client went away'));
        }
        return response.status;
      },
      close: async () => {},
    };
  },
};

function flatHeaders(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * A client for a gateway listening on a loopback port: one connection per
 * request (no agent, so nothing is left open when the server stops), the
 * target sent exactly as given, and `extraHeaders` added after signing.
 */
export function loopbackClient(port: number, extraHeaders: Record<string, string> = {}): Pick<GatewayUnderTest, 'send' | 'abandonAfterFirstBytes'> {
  const open = (request: SuiteRequest, onResponse: (response: IncomingMessage) => void) => {
    const body = bodyBytes(request.body);
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: request.method ?? 'GET', path: request.target, headers: { ...requestHeaders(request, body), ...extraHeaders }, agent: false },
      onResponse,
    );
    outgoing.end(body);
    return outgoing;
  };
  return {
    send(request) {
      return new Promise<SuiteResponse>((resolve, reject) => {
        open(request, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => resolve(suiteResponse(response.statusCode!, flatHeaders(response), new Uint8Array(Buffer.concat(chunks)))));
        }).on('error', reject);
      });
    },
    abandonAfterFirstBytes(request) {
      return new Promise<number>((resolve, reject) => {
        const outgoing = open(request, (response) => {
          response.once('data', () => {
            outgoing.destroy();
            resolve(response.statusCode!);
          });
        });
        outgoing.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ECONNRESET') reject(error);
        });
      });
    },
  };
}

/** (c) The Node server (`startServer`) over real HTTP on loopback. */
export const nodeAdapter: GatewayAdapter = {
  name: 'node',
  async start(setup) {
    const server = await startServer(setup.config, { backends: setup.backends, log: quietLog });
    return { origin: server.url, ...loopbackClient(server.port), close: () => server.close() };
  },
};

async function seedInto(backend: Backend, key: string, content: string | Uint8Array, options: { contentType?: string; metadata?: Record<string, string> } = {}) {
  await backend.put(key, bytesBody(typeof content === 'string' ? content : content.slice()), { contentType: options.contentType, metadata: options.metadata ?? {} });
}

function handle(backend: Backend, cleanup: () => Promise<void> = async () => {}): BackendUnderTest {
  return { backend, seed: (key, content, options) => seedInto(backend, key, content, options), cleanup };
}

/** A fresh in-memory backend per test. */
export const memoryBackends: BackendMaker = {
  name: 'memory',
  make: async () => handle(new MemoryBackend({ readOnly: false })),
  close: async () => {},
};

/** A fresh fs backend per test, in a temporary folder removed afterwards. */
export const fsBackends: BackendMaker = {
  name: 'fs',
  async make() {
    const root = await mkdtemp(join(tmpdir(), 'sluice-gateway-suite-'));
    return handle(new FsBackend({ root, readOnly: false }), () => rm(root, { recursive: true, force: true }));
  },
  close: async () => {},
};

/** Why the S3 peer cannot run here (the suite over S3 is then skipped with this reason), or undefined. */
export const s3PeerUnavailable = motoUnavailableReason;

/** One moto server for a test file, started on first use; every backend made on it gets a prefix of its own. */
export interface SharedS3Peer {
  peer(): Promise<S3Peer>;
  nextPrefix(): string;
  stop(): Promise<void>;
}

/**
 * By default moto does not check signatures (its check mis-handles encoded delimiters in list
 * queries; our verifier checks in process instead). A gateway in another process (workerd) cannot
 * be watched that way: there moto checks them.
 */
export function sharedS3Peer(options: { verifySignatures?: boolean } = {}): SharedS3Peer {
  let started: Promise<S3Peer> | undefined;
  let prefixes = 0;
  return {
    peer: () => (started ??= startMotoServer({ verifySignatures: options.verifySignatures ?? false })),
    nextPrefix: () => `run-${++prefixes}/`,
    async stop() {
      await (await started?.catch(() => undefined))?.stop();
    },
  };
}

/**
 * S3 backends over the shared peer, each in a fresh prefix of the peer's
 * bucket, through the fetch-based or the Node HTTP client. Every outbound
 * request's signature is checked by the gateway's own verifier on the way.
 */
export function s3Backends(http: 'fetch' | 'node', shared: SharedS3Peer): BackendMaker {
  let nodeClient: ReturnType<typeof createNodeHttpClient> | undefined;
  const client = (): HttpClient => {
    if (http === 'fetch') return createFetchHttpClient();
    nodeClient ??= createNodeHttpClient();
    return nodeClient;
  };
  return {
    name: `s3 (${http} HTTP client)`,
    async make() {
      const { endpoint, region, bucket, credentials } = await shared.peer();
      const verifying = verifyingHttpClient(client(), credentials, region);
      const backend = new S3Backend({
        endpoint,
        region,
        bucket,
        forcePathStyle: true,
        prefix: shared.nextPrefix(),
        credentials,
        http: verifying,
        retry: { attempts: 1 },
      });
      return handle(backend, async () => {
        if (verifying.stats.failures.length > 0) throw new Error(`outbound requests with bad signatures: ${verifying.stats.failures.join('; ')}`);
      });
    },
    close: async () => nodeClient?.close(),
  };
}

/**
 * Azure backends over one Azurite for a test file (started on first use),
 * each in a fresh container, through the fetch-based or the Node HTTP
 * client. Azurite checks every Shared Key signature.
 */
export function azureBackends(http: 'fetch' | 'node'): BackendMaker {
  let started: Promise<AzuritePeer> | undefined;
  let nodeClient: ReturnType<typeof createNodeHttpClient> | undefined;
  let containers = 0;
  const client = (): HttpClient => {
    if (http === 'fetch') return createFetchHttpClient();
    nodeClient ??= createNodeHttpClient();
    return nodeClient;
  };
  return {
    name: `azure (${http} HTTP client)`,
    async make() {
      const peer = await (started ??= startAzurite());
      const container = `suite-${http}-${++containers}`;
      await peer.createContainer(container);
      return handle(new AzureBackend({
        account: peer.account,
        container,
        endpoint: peer.endpoint,
        auth: { kind: 'sharedKey', accountKey: peer.accountKey },
        http: client(),
        retry: { attempts: 1 },
      }));
    },
    async close() {
      nodeClient?.close();
      await (await started?.catch(() => undefined))?.stop();
    },
  };
}
