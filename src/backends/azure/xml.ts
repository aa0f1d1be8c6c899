/**
 * The few XML documents of the Blob service the backend reads and writes:
 * List Blobs pages (entries kept in document order, blobs and prefixes
 * interleaved as the service sent them), error documents, and block lists.
 * Azure's answers are machine-written and flat, so a small scanner reads
 * them; text is entity-decoded and `Encoded="true"` names percent-decoded.
 */
import { decodeXmlText } from '../../core/s3/xml-read.ts';

export interface ListedBlob {
  kind: 'blob';
  name: string;
  size: number;
  /** Azure's entity tag, quoted. */
  azureEtag: string;
  lastModified: Date;
  /** Base64 Content-MD5, when the blob has one. */
  contentMd5?: string;
  /** Metadata as listed (`include=metadata`): Azure names lower-cased. */
  metadata: Record<string, string>;
}

export interface ListedPrefix {
  kind: 'prefix';
  name: string;
}

export type ListedEntry = ListedBlob | ListedPrefix;

export interface ListBlobsPage {
  entries: ListedEntry[];
  /** Absent or empty when this is the last page. */
  nextMarker?: string;
}

export interface AzureErrorDocument {
  code?: string;
  message?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function escapeXmlText(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&${Object.entries(ENTITIES).find(([, v]) => v === ch)![0]};`);
}

/** The text of the first `<tag>` directly inside `xml`, decoded; undefined when absent. */
function element(xml: string, tag: string): { text: string; attributes: string } | undefined {
  const match = new RegExp(`<${tag}(\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`).exec(xml);
  if (!match) return undefined;
  return { text: match[2] ?? '', attributes: match[1] ?? '' };
}

function text(xml: string, tag: string): string | undefined {
  const found = element(xml, tag);
  return found === undefined ? undefined : decodeXmlText(found.text);
}

function nameOf(xml: string): string {
  const found = element(xml, 'Name');
  if (!found) throw new SyntaxError('listed entry without a name');
  const decoded = decodeXmlText(found.text);
  return /Encoded="true"/i.test(found.attributes) ? decodeURIComponent(decoded) : decoded;
}

function metadataOf(xml: string): Record<string, string> {
  const block = element(xml, 'Metadata');
  const out: Record<string, string> = {};
  if (!block) return out;
  for (const match of block.text.matchAll(/<([A-Za-z_][A-Za-z0-9_]*)(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/\1>)/g)) {
    out[match[1]!.toLowerCase()] = decodeXmlText(match[2] ?? '');
  }
  return out;
}

export function parseListBlobs(xml: string): ListBlobsPage {
  if (!/<EnumerationResults[\s>]/.test(xml)) throw new SyntaxError('not a List Blobs answer');
  const entries: ListedEntry[] = [];
  for (const match of xml.matchAll(/<(Blob|BlobPrefix)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g)) {
    const body = match[2]!;
    if (match[1] === 'BlobPrefix') {
      entries.push({ kind: 'prefix', name: nameOf(body) });
      continue;
    }
    const properties = element(body, 'Properties')?.text ?? '';
    const size = Number(text(properties, 'Content-Length') ?? 'NaN');
    const etag = text(properties, 'Etag') ?? '';
    const lastModified = new Date(text(properties, 'Last-Modified') ?? '');
    if (!Number.isSafeInteger(size) || Number.isNaN(lastModified.getTime())) throw new SyntaxError('listed blob without size or time');
    const contentMd5 = text(properties, 'Content-MD5');
    entries.push({
      kind: 'blob',
      name: nameOf(body),
      size,
      azureEtag: etag.startsWith('"') ? etag : `"${etag}"`,
      lastModified,
      ...(contentMd5 ? { contentMd5 } : {}),
      metadata: metadataOf(body),
    });
  }
  const nextMarker = text(xml.replace(/<Blobs>[\s\S]*<\/Blobs>/, ''), 'NextMarker');
  return nextMarker ? { entries, nextMarker } : { entries };
}

export function parseErrorDocument(xml: string): AzureErrorDocument {
  const code = text(xml, 'Code');
  const message = text(xml, 'Message');
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

export interface ListedBlock {
  /** Base64 block id as stored. */
  id: string;
  size: number;
}

/** The committed or uncommitted blocks of a Get Block List answer. */
export function parseBlockList(xml: string, which: 'CommittedBlocks' | 'UncommittedBlocks'): ListedBlock[] {
  const section = element(xml, which)?.text ?? '';
  const blocks: ListedBlock[] = [];
  for (const match of section.matchAll(/<Block>([\s\S]*?)<\/Block>/g)) {
    blocks.push({ id: text(match[1]!, 'Name') ?? '', size: Number(text(match[1]!, 'Size') ?? '0') });
  }
  return blocks;
}

/** A Put Block List body committing these block ids from the uncommitted (latest) set. */
export function blockListXml(ids: readonly string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${escapeXmlText(id)}</Latest>`).join('')}</BlockList>`;
}
