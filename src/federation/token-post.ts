/**
 * One POST to a cloud token service (AWS STS, Entra ID, Google STS and IAM
 * credentials): bounded in time and in the size of the answer it reads. A
 * failure to reach the service or to read its answer is a
 * `BackendUnavailableError` carrying `context`; any answer that arrives,
 * whatever its status, goes back to the caller to interpret.
 */
import { BackendUnavailableError } from '../core/backend-errors.ts';
import { bytesBody, discardBody, readAll } from '../core/body.ts';
import type { HeaderMap, HttpClient } from '../core/http.ts';

/** Token answers are small; anything larger is not one. */
const ANSWER_LIMIT = 64 * 1024;
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

export interface TokenPost {
  url: string;
  body: Uint8Array;
  /** Content type and accept, at least; the length is added here. */
  headers: HeaderMap;
  /** Fields identifying the exchange in the error's detail (never a token). */
  context: Record<string, unknown>;
  timeoutMs?: number;
}

export async function postTokenRequest(http: HttpClient, post: TokenPost): Promise<{ status: number; text: string }> {
  const timeoutMs = post.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`the token service did not answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await http.request({
      method: 'POST',
      url: post.url,
      headers: { ...post.headers, 'content-length': String(post.body.byteLength) },
      body: bytesBody(post.body),
      signal: controller.signal,
    });
    try {
      return { status: response.status, text: new TextDecoder().decode(await readAll(response.body, ANSWER_LIMIT)) };
    } catch (error) {
      discardBody(response.body);
      throw error;
    }
  } catch (error) {
    throw new BackendUnavailableError('the token service could not be reached', { ...post.context, error: describe(error) });
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
