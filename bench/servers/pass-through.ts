/**
 * The proxy benchmarks' baseline: the least a Node proxy can do. `node:http`
 * in, `http.request` over a keep-alive agent out to the origin, the same
 * path and request headers, then `pipe()` the answer back. No routing, no
 * authentication, no logging.
 *
 *   node --import tsx bench/servers/pass-through.ts --origin http://127.0.0.1:PORT --listen 127.0.0.1:PORT
 */
import { Agent, createServer, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { origin: { type: 'string' }, listen: { type: 'string' } } });
if (!values.origin || !values.listen) throw new TypeError('usage: pass-through --origin URL --listen HOST:PORT');
const origin = new URL(values.origin);
const [host, port] = values.listen.split(':') as [string, string];

// The same pool settings as Sluice's Node HTTP client, so neither side gets more sockets.
const agent = new Agent({ keepAlive: true, keepAliveMsecs: 4_000, maxSockets: 128 });

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: origin.host };
  delete headers.connection;
  const upstream = request(
    { agent, hostname: origin.hostname, port: origin.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.once('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  // Only when the client went away: after a complete answer the socket belongs to the pool again.
  res.once('close', () => res.writableFinished || upstream.destroy());
  req.pipe(upstream);
});
server.keepAliveTimeout = 5_000;
server.listen(Number(port), host);
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
