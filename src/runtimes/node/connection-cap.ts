/**
 * Turning away connections beyond the server's limit the way S3 sheds load:
 * `503 SlowDown`, which SDKs back off from and retry, then close. The reply
 * is written at once, before the request arrives; HTTP clients read it as
 * the answer to the request they send.
 */
import type { Socket } from 'node:net';
import { rawHttpReply, slowDownReply } from './error-replies.ts';

const SLOW_DOWN = rawHttpReply(slowDownReply());
// How long a refused client gets to read the reply before the socket is closed under it.
const LINGER_MS = 1_000;

export function refuseConnection(socket: Socket): void {
  socket.end(SLOW_DOWN);
  socket.once('end', () => socket.destroy());
  // Bounded even for a client that reads nothing: a refused connection must not be held either.
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
