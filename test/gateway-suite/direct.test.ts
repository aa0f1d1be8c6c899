/**
 * The gateway behaviour suite with `createGateway` called directly, over the
 * memory and fs backends.
 */
import { directAdapter, fsBackends, memoryBackends } from './adapters.ts';
import { runGatewaySuite } from './gateway-suite.ts';

runGatewaySuite(directAdapter, memoryBackends);
runGatewaySuite(directAdapter, fsBackends);
