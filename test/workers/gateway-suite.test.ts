/**
 * The gateway behaviour suite inside workerd (Miniflare): the Workers
 * handler in the bundle the build makes, its S3 backend talking to a local
 * S3 peer (moto) over the platform's `fetch`, driven over HTTP on loopback.
 * What workerd or the peer do differently is skipped by name, with why.
 */
import { after } from 'node:test';
import { s3PeerUnavailable, sharedS3Peer } from '../gateway-suite/adapters.ts';
import { runGatewaySuite } from '../gateway-suite/gateway-suite.ts';
import { workersRun } from '../gateway-suite/workers-adapter.ts';

const skip: Record<string, string> = {
  // The peer, as for every adapter over moto (see s3-peer.test.ts).
  'If-Match: * or a list holding the current ETag answers 200': 'moto compares If-Match as one literal ETag: "*" and ETag lists never match (412)',
  'If-None-Match: * or a list holding the current ETag answers 304': 'moto compares If-None-Match as one literal ETag: "*" and ETag lists never match (200)',
  'conditions combine with S3 precedence':
    'moto checks each condition on its own: a true If-Match does not override a false If-Unmodified-Since (412), nor a false If-None-Match a true If-Modified-Since (304)',
  // workerd.
  'a client that goes away mid-download cancels the backend read':
    'the probe backend that observes the cancellation lives in the test process; inside workerd the gateway has only its configured backends',
};

const unavailable = s3PeerUnavailable();
const peer = sharedS3Peer();
after(() => peer.stop());

const { adapter, backends } = workersRun(peer);
runGatewaySuite(adapter, backends, {
  unavailable,
  skip,
});
