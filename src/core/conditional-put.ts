/**
 * A put with optional write preconditions, on any backend: a plain put when
 * there are none, the backend's conditional put when there are, and a 501
 * NotImplemented answer — never an unconditional write — when the backend
 * cannot make the check and the write one atomic step.
 *
 * PutObject and CopyObject call `putWithConditions`; CompleteMultipartUpload
 * checks the same conditions at its own commit (`requireConditionalWrites`
 * first, then the backend's complete with the conditions, evaluated with
 * `checkWriteConditions` in `s3/write-conditions.ts`).
 */
import type { Backend, ObjectMetadata, PutOptions, PutResult } from './backend.ts';
import { type ConditionalWrites, type WriteConditions, hasConditionalWrites } from './backend-capabilities.ts';
import { type Body, discardBody } from './body.ts';
import { notImplemented } from './errors/s3-error.ts';
import { hasWriteConditions } from './s3/write-conditions.ts';

/** `backend` as a conditional writer, or 501 NotImplemented when it has no atomic conditional write. */
export function requireConditionalWrites<B extends Backend>(backend: B): B & ConditionalWrites {
  if (!hasConditionalWrites(backend)) throw notImplemented(`conditional writes (If-Match / If-None-Match) on a ${backend.kind} connection`);
  return backend;
}

export function putWithConditions(
  backend: Backend,
  key: string,
  body: Body,
  metadata: ObjectMetadata,
  conditions: WriteConditions | undefined,
  options: PutOptions = {},
): Promise<PutResult> {
  if (!hasWriteConditions(conditions)) return backend.put(key, body, metadata, options);
  let writer: Backend & ConditionalWrites;
  try {
    writer = requireConditionalWrites(backend);
  } catch (error) {
    discardBody(body);
    return Promise.reject(error);
  }
  return writer.conditionalPut(key, body, metadata, conditions, options);
}
