/**
 * Reading XML request bodies (DeleteObjects, CompleteMultipartUpload).
 * Values must come back byte-exact — keys may hold spaces, `&` and control
 * characters — so the parser neither trims nor converts anything, and
 * entities are decoded here, character references included. A document
 * that does not parse is S3's 400 MalformedXML.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '../errors/s3-error.ts';

export type XmlElement = Record<string, unknown>;

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decode XML's predefined entities and character references. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : ref.startsWith('#') ? Number.parseInt(ref.slice(1), 10) : undefined;
    if (code === undefined) return NAMED[ref] ?? whole;
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export function malformedXml(): S3Error {
  return new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/**
 * Parse a request document; `arrays` names the element paths (`Delete.Object`)
 * that are always lists, however many times they occur. Documents with a
 * DOCTYPE are refused: S3 documents have none, and entity definitions are a
 * way to blow up memory.
 */
export function parseXmlDocument(text: string, arrays: readonly string[]): XmlElement {
  if (/<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) throw malformedXml();
  const arrayPaths = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    parseTagValue: false,
    trimValues: false,
    processEntities: false,
    removeNSPrefix: true,
    isArray: (_name, jpath) => arrayPaths.has(String(jpath)),
  });
  const parsed: unknown = parser.parse(text);
  if (parsed === null || typeof parsed !== 'object') throw malformedXml();
  return parsed as XmlElement;
}

/** The text of an element, decoded; undefined when absent or not text. An empty element is "". */
export function elementText(node: unknown): string | undefined {
  if (typeof node === 'string') return decodeXmlText(node);
  if (node === '' || (node !== null && typeof node === 'object' && Object.keys(node).length === 0)) return '';
  return undefined;
}

export function childElement(node: unknown, name: string): unknown {
  return node !== null && typeof node === 'object' ? (node as XmlElement)[name] : undefined;
}
