/**
 * The gateway behaviour suite over the S3 backend against a local S3 peer
 * (moto), through the fetch adapter (with the fetch-based HTTP client) and
 * through the Node server (with the Node HTTP client). One peer serves both
 * runs; every test works in a fresh prefix of its bucket.
 */
import { after } from 'node:test';
import { fetchAdapter, nodeAdapter, s3Backends, s3PeerUnavailable, sharedS3Peer } from './adapters.ts';
import { runGatewaySuite } from './gateway-suite.ts';

/** moto evaluates conditional reads more simply than S3; the gateway passes conditions through to it. */
const motoSkips: Record<string, string> = {
  'If-Match: * or a list holding the current ETag answers 200': 'moto compares If-Match as one literal ETag: "*" and ETag lists never match (412)',
  'If-None-Match: * or a list holding the current ETag answers 304': 'moto compares If-None-Match as one literal ETag: "*" and ETag lists never match (200)',
  'conditions combine with S3 precedence':
    'moto checks each condition on its own: a true If-Match does not override a false If-Unmodified-Since (412), nor a false If-None-Match a true If-Modified-Since (304)',
};

const unavailable = s3PeerUnavailable();
const peer = sharedS3Peer();
after(() => peer.stop());

runGatewaySuite(fetchAdapter, s3Backends('fetch', peer), {
  unavailable,
  skip: motoSkips,
});
runGatewaySuite(nodeAdapter, s3Backends('node', peer), { unavailable, skip: motoSkips });
