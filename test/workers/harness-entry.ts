/**
 * A test entry bundled and run inside workerd: the Workers handler
 * (`createWorker`) once per configuration the test registers, so one workerd
 * process serves a whole suite in which every test has a configuration of
 * its own. The production entry reads its configuration from a binding
 * instead (`entry.test.ts` runs that one).
 *
 *   POST   /.harness/configs        body: configuration text → 201, the id
 *   DELETE /.harness/configs/{id}
 *   any other request, with `x-harness-config: {id}` → that gateway (the header removed)
 */
import type { LogSink } from '../../src/core/runtime.ts';
import { HARNESS_CONFIGS_PATH as CONFIGS, HARNESS_HEADER } from './harness-protocol.ts';
import { type SluiceWorker, type WaitUntilContext, createWorker } from '../../src/runtimes/workers/worker.ts';


/** Suite tests provoke errors on purpose; the gateway's log stays out of the test output. */
const quiet: LogSink = { write: () => {} };

const gateways = new Map<string, SluiceWorker>();

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: WaitUntilContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method === 'POST' && path === CONFIGS) {
      const id = crypto.randomUUID();
      gateways.set(id, createWorker({ config: await request.text(), log: quiet }));
      return new Response(id, { status: 201 });
    }
    if (request.method === 'DELETE' && path.startsWith(`${CONFIGS}/`)) {
      return new Response(null, { status: gateways.delete(path.slice(CONFIGS.length + 1)) ? 204 : 404 });
    }
    const id = request.headers.get(HARNESS_HEADER);
    const gateway = id === null ? undefined : gateways.get(id);
    if (!gateway) return new Response(`no gateway registered for ${HARNESS_HEADER}: ${String(id)}`, { status: 421 });
    const headers = new Headers(request.headers);
    headers.delete(HARNESS_HEADER);
    return gateway.fetch(new Request(request, { headers }), env, ctx);
  },
};
