/**
 * The gateway behaviour suite over the Azure backend against Azurite,
 * through the fetch adapter (with the fetch-based HTTP client) and through
 * the Node server (with the Node HTTP client). Each run starts its own
 * Azurite; every test works in a fresh container.
 */
import { azureBackends, fetchAdapter, nodeAdapter } from './adapters.ts';
import { runGatewaySuite } from './gateway-suite.ts';

runGatewaySuite(fetchAdapter, azureBackends('fetch'));
runGatewaySuite(nodeAdapter, azureBackends('node'));
