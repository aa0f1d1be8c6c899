/** Tests for client addresses: CIDR parsing and matching, and X-Forwarded-For read from the right and only from trusted proxies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrContains, clientIpResolver, parseCidr, parseIp } from './client-ip.ts';

describe('CIDRs', () => {
  const cases: Array<[cidr: string, ip: string, contained: boolean]> = [
    ['10.0.0.0/8', '10.1.2.3', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.0/25', '192.168.1.127', true],
    ['192.168.1.0/25', '192.168.1.128', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['::1', '::1', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.0.0.0/8', '::ffff:10.9.9.9', true],
    ['::ffff:10.0.0.0/104', '10.0.0.1', true],
    ['10.0.0.0/8', '2001:db8::1', false],
  ];
  for (const [cidr, ip, contained] of cases) {
    test(`${ip} ${contained ? 'is' : 'is not'} in ${cidr}`, () => {
      assert.equal(cidrContains(parseCidr(cidr)!, parseIp(ip)!), contained);
    });
  }

  test('malformed addresses and prefixes are refused', () => {
    for (const bad of ['10.0.0/8', '10.0.0.256', '10.0.0.0/33', '::1/129', '1::2::3', 'fe80::1::', 'example.com', '10.0.0.0/x', '']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});

describe('the client address', () => {
  const resolve = clientIpResolver(['10.0.0.0/8', '::1']);
  const cases: Array<[name: string, peer: string | undefined, xff: string | undefined, client: string | undefined]> = [
    ['no proxy header: the peer', '203.0.113.5', undefined, '203.0.113.5'],
    ['an untrusted peer cannot name another client', '203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ['a trusted peer names the client', '10.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['the right-most untrusted hop wins over what the client wrote', '10.0.0.1', '192.0.2.66, 198.51.100.1', '198.51.100.1'],
    ['trusted hops are skipped', '10.0.0.1', '198.51.100.1, 10.0.0.2, 10.0.0.3', '198.51.100.1'],
    ['every hop trusted: the left-most', '10.0.0.1', '10.0.0.9, 10.0.0.3', '10.0.0.9'],
    ['garbage hop: the last trusted address', '10.0.0.1', 'not-an-ip, 10.0.0.3', '10.0.0.3'],
    ['IPv6 loopback proxy', '::1', '2001:db8::7', '2001:db8::7'],
    ['empty hops are ignored', '10.0.0.1', '198.51.100.1, ,', '198.51.100.1'],
  ];
  for (const [name, peer, xff, client] of cases) {
    test(name, () => assert.equal(resolve(peer, xff), client));
  }

  test('with no trusted proxies the header is never read', () => {
    assert.equal(clientIpResolver([])('10.0.0.1', '198.51.100.1'), '10.0.0.1');
  });
});
