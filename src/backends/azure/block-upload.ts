/**
 * Uploading a body as a block blob without ever sending a stream: the body
 * is read into a block-sized buffer. A body that ends within the first block
 * goes up in one Put Blob (bytes in memory, so it can be retried and carries
 * its Content-MD5); a longer one is staged block by block (Put Block) and
 * committed with Put Block List only after it ended cleanly. A body that
 * fails midway or at its end therefore commits nothing: the previous version
 * stays, and the uncommitted blocks are discarded by the service.
 *
 * Every block id of one blob must have the same length, so plain uploads and
 * multipart parts share one layout (`blockId`): the upload's tag, the part
 * number (0 for a plain upload), the attempt (a re-sent part stages under a
 * fresh one) and the block's index within the part.
 */
import type { Body } from '../../core/body.ts';
import { readInChunks } from '../chunked-body.ts';
import { encodeBase64 } from './shared-key.ts';

export interface BlockSink {
  /** Store the whole content in one request; absent: a short body is staged as one block too. */
  putWhole?(bytes: Uint8Array, md5Hex: string): Promise<void>;
  /** Stage one block under `blockId` (base64). */
  stageBlock(blockId: string, bytes: Uint8Array): Promise<void>;
  /** Commit the staged blocks, in order, as the blob's content. */
  commit(blockIds: string[], md5Hex: string): Promise<void>;
}

export interface BlockUploadResult {
  md5Hex: string;
  size: number;
  /** Blocks staged (0 when the body went up whole, or was empty with no `putWhole`). */
  blocks: number;
}

/** Azure allows at most 50,000 blocks per blob. */
export const MAX_BLOCKS = 50_000;

/** Where a block belongs: `tag` is 24 lower-case hex digits, `attempt` 8. */
export interface BlockPlace {
  tag: string;
  partNumber: number;
  attempt: string;
  index: number;
}

/** The block id of `place`: base64 of 48 ASCII bytes, the same length for every block of every upload. */
export function blockId(place: BlockPlace): string {
  const raw = `${place.tag}-${String(place.partNumber).padStart(5, '0')}-${place.attempt}-${String(place.index).padStart(8, '0')}`;
  if (raw.length !== 48) throw new TypeError(`malformed block place: ${raw}`);
  return encodeBase64(new TextEncoder().encode(raw));
}

/** A block id of a plain (not multipart) upload tagged `uploadTag`. */
export function uploadBlockId(uploadTag: string, index: number): string {
  return blockId({ tag: uploadTag, partNumber: 0, attempt: '00000000', index });
}

export async function uploadBlocks(body: Body, blockSize: number, idOf: (index: number) => string, sink: BlockSink, signal?: AbortSignal): Promise<BlockUploadResult> {
  const blockIds: string[] = [];
  const stage = async (block: Uint8Array) => {
    if (blockIds.length >= MAX_BLOCKS) throw new RangeError(`a blob holds at most ${MAX_BLOCKS} blocks`);
    const id = idOf(blockIds.length);
    await sink.stageBlock(id, block);
    blockIds.push(id);
  };
  const { last, md5Hex, size } = await readInChunks(body, blockSize, stage, signal);
  if (blockIds.length === 0 && sink.putWhole) {
    await sink.putWhole(last, md5Hex);
  } else {
    if (last.byteLength > 0) await stage(last);
    await sink.commit(blockIds, md5Hex);
  }
  return { md5Hex, size, blocks: blockIds.length };
}
