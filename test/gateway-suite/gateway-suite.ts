/**
 * The gateway behaviour suite: one set of node:test tests that every way of
 * running the gateway (adapter) passes over every backend. Each test starts a
 * fresh gateway over a fresh backend. An adapter or backend lacking a
 * behaviour may skip a test by name with a printed reason; checks are never
 * weakened per adapter, and a guard fails when a skip names no test. Tests
 * that fail everywhere because of a gateway defect are listed in
 * `known-defects.ts`.
 *
 *   runGatewaySuite(directAdapter, memoryBackends, { skip: { 'test name': 'reason' } });
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { BackendMaker, GatewayAdapter, GatewayUnderTest } from './gateway-under-test.ts';
import { KNOWN_DEFECTS } from './known-defects.ts';
import { probeBackend } from './probe-backend.ts';
import { registerConditionalTests } from './suite-conditionals.ts';
import { registerDisconnectTests } from './suite-disconnects.ts';
import { registerErrorTests } from './suite-errors.ts';
import { registerListingTests } from './suite-listing.ts';
import { registerReadTests } from './suite-reads.ts';
import { registerSignedTests } from './suite-signed.ts';
import { BUCKET_PREFIXES, type SuiteBody, type SuiteRegistry, suiteSetup } from './suite-support.ts';
import { registerUploadTests } from './suite-uploads.ts';

/** A bound for each test, so a read that is never released fails instead of hanging the run. */
const TEST_TIMEOUT_MS = 60_000;

export interface GatewaySuiteOptions {
  /** Test name → reason, for an adapter or backend that lacks a behaviour. The reason is printed. */
  skip?: Record<string, string>;
  /**
   * Test name → what is wrong, for a defect of this combination only (adapter
   * and backend); gateway-wide defects live in `known-defects.ts`. Such tests
   * still run and report TODO while they fail, and fail once they pass.
   */
  knownDefects?: Record<string, string>;
  /** Skip the whole run (e.g. a peer that cannot start here), with this reason. */
  unavailable?: string;
}

export function runGatewaySuite(adapter: GatewayAdapter, backends: BackendMaker, options: GatewaySuiteOptions = {}): void {
  const skip = options.skip ?? {};
  const defects = { ...KNOWN_DEFECTS, ...options.knownDefects };
  const names = new Set<string>();
  describe(`gateway suite: ${adapter.name} adapter over the ${backends.name} backend`, { skip: options.unavailable }, () => {
    after(() => backends.close());
    const registry: SuiteRegistry = {
      test(name: string, body: SuiteBody) {
        assert.ok(!names.has(name), `duplicate suite test name: ${name}`);
        names.add(name);
        it(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
          const reason = skip[name];
          if (reason !== undefined) {
            t.skip(reason);
            return;
          }
          const main = await backends.make();
          const probe = probeBackend();
          let gateway: GatewayUnderTest | undefined;
          t.after(async () => {
            await gateway?.close();
            await main.cleanup();
          });
          gateway = await adapter.start(suiteSetup(main.backend, probe));
          const run = body({
            gateway,
            probe,
            t,
            seed: (bucket, key, content, seedOptions) => main.seed(`${BUCKET_PREFIXES[bucket]}${key}`, content, seedOptions),
            seedOutside: (key, content) => main.seed(key, content),
          });
          const defect = defects[name];
          if (defect === undefined) return run;
          const failure = await run.then(() => undefined, (error: unknown) => error);
          assert.ok(failure !== undefined, `"${name}" passes now: remove it from the known defects`);
          t.todo(`known defect: ${defect} (${failure instanceof Error ? failure.message.split('\n')[0] : String(failure)})`);
        });
      },
    };
    registerReadTests(registry);
    registerConditionalTests(registry);
    registerListingTests(registry);
    registerErrorTests(registry);
    registerSignedTests(registry);
    registerUploadTests(registry);
    registerDisconnectTests(registry);
    it('skips and known defects name only tests of the suite', () => {
      const unknown = [...Object.keys(skip), ...Object.keys(defects)].filter((name) => !names.has(name));
      assert.deepEqual(unknown, [], 'every skipped or known-defect name must match a suite test');
    });
  });
}
