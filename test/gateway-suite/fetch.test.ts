/**
 * The gateway behaviour suite through `toFetchHandler` (Web Request and
 * Response), over the memory and fs backends. (Over the S3 backend with the
 * fetch-based HTTP client: `s3-peer.test.ts`.)
 */
import { fetchAdapter, fsBackends, memoryBackends } from './adapters.ts';
import { runGatewaySuite } from './gateway-suite.ts';

runGatewaySuite(fetchAdapter, memoryBackends);
runGatewaySuite(fetchAdapter, fsBackends);
