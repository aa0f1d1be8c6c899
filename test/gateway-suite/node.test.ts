/**
 * The gateway behaviour suite through the Node server over real HTTP on
 * loopback, over the memory and fs backends. (Over the S3 backend with the
 * Node HTTP client: `s3-peer.test.ts`.)
 */
import { fsBackends, memoryBackends, nodeAdapter } from './adapters.ts';
import { runGatewaySuite } from './gateway-suite.ts';

runGatewaySuite(nodeAdapter, memoryBackends);
runGatewaySuite(nodeAdapter, fsBackends);
