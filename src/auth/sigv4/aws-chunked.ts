/**
 * A push parser for the aws-chunked body framing:
 *
 *   hex-size[;extensions]\r\n  data  \r\n   … repeated …
 *   0[;extensions]\r\n
 *   [name:value\r\n …]  [\r\n]            trailing headers, if any
 *
 * It only splits the framing into events; what the extensions and trailers
 * mean (chunk signatures, checksums) is up to the caller. Data comes out as
 * views of the input, never copied. Clients differ in how they end the body
 * (with or without the final empty line), so the end is accepted at any line
 * boundary after the zero-size chunk.
 */
import { SigV4Error } from './errors.ts';

export type ChunkEvent =
  /** A chunk header: its size and the raw text after the first `;` ("" when none). */
  | { kind: 'chunk'; size: number; extensions: string }
  | { kind: 'data'; bytes: Uint8Array }
  /** All data of the current chunk has been seen (also right after a zero-size header). */
  | { kind: 'chunk-end'; size: number }
  /** One trailing header line, as sent (without CRLF). */
  | { kind: 'trailer'; line: string };

type State = 'header' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'end';

const MAX_LINE = 8192;
const MAX_TRAILER_BYTES = 16384;

function malformed(reason: string): SigV4Error {
  return new SigV4Error('InvalidRequest', `The aws-chunked request body is malformed: ${reason}`);
}

export class AwsChunkedParser {
  private state: State = 'header';
  private line = '';
  private remaining = 0;
  private size = 0;
  private trailerBytes = 0;
  private trailerLines = 0;

  /** `withTrailers`: trailing headers may follow the zero-size chunk; otherwise only a final CRLF may. */
  constructor(private readonly withTrailers: boolean) {}

  /** Parse the next piece of the body. */
  *feed(bytes: Uint8Array): Generator<ChunkEvent> {
    let i = 0;
    while (i < bytes.length) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, bytes.length - i);
          yield { kind: 'data', bytes: bytes.subarray(i, i + take) };
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = 'data-cr';
            yield { kind: 'chunk-end', size: this.size };
          }
          break;
        }
        case 'data-cr':
        case 'data-lf': {
          const expected = this.state === 'data-cr' ? 13 : 10;
          if (bytes[i] !== expected) throw malformed('chunk data is not followed by CRLF');
          this.state = this.state === 'data-cr' ? 'data-lf' : 'header';
          i++;
          break;
        }
        case 'end': {
          if (bytes[i] !== 13 && bytes[i] !== 10) throw malformed('data after the end of the body');
          i++;
          break;
        }
        default: {
          // 'header' or 'trailer': collect a line.
          const lf = bytes.indexOf(10, i);
          const stop = lf < 0 ? bytes.length : lf;
          if (this.line.length + (stop - i) > MAX_LINE) throw malformed('line too long');
          this.line += latin1(bytes, i, stop);
          i = stop;
          if (lf < 0) break;
          i++;
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          yield* this.state === 'header' ? this.onHeader(line) : this.onTrailer(line);
        }
      }
    }
  }

  /** Whether the body may end here. */
  canEnd(): boolean {
    return (this.state === 'trailer' || this.state === 'end') && this.line === '';
  }

  private *onHeader(line: string): Generator<ChunkEvent> {
    const semi = line.indexOf(';');
    const hex = semi < 0 ? line : line.slice(0, semi);
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw malformed('invalid chunk size');
    const size = parseInt(hex, 16);
    this.size = size;
    yield { kind: 'chunk', size, extensions: semi < 0 ? '' : line.slice(semi + 1) };
    if (size === 0) {
      this.state = this.withTrailers ? 'trailer' : 'end';
      yield { kind: 'chunk-end', size: 0 };
    } else {
      this.state = 'data';
      this.remaining = size;
    }
  }

  private *onTrailer(line: string): Generator<ChunkEvent> {
    if (line === '') {
      // Some clients put an empty line between the last chunk and the trailers.
      if (this.trailerLines > 0) this.state = 'end';
      return;
    }
    this.trailerBytes += line.length;
    this.trailerLines++;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw malformed('trailing headers too large');
    yield { kind: 'trailer', line };
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}
