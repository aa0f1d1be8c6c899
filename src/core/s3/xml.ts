/**
 * Building S3's XML documents. Output only: documents are assembled as
 * strings from escaped text, with the namespace S3 uses on its responses.
 */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

/** A child element: a name and either text, nested children, or nothing (omitted when `undefined`). */
export type XmlNode = [name: string, content: string | number | boolean | XmlNode[] | undefined];

function render(nodes: XmlNode[]): string {
  let out = '';
  for (const [name, content] of nodes) {
    if (content === undefined) continue;
    out += Array.isArray(content)
      ? `<${name}>${render(content)}</${name}>`
      : `<${name}>${escapeXml(String(content))}</${name}>`;
  }
  return out;
}

/** A whole document with a namespaced root element. */
export function xmlDocument(root: string, children: XmlNode[], namespace: string | undefined = S3_NAMESPACE): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  return `${XML_DECLARATION}<${root}${ns}>${render(children)}</${root}>`;
}

/** S3's wire format for dates in XML: ISO 8601 with milliseconds, UTC. */
export function xmlDate(date: Date): string {
  return date.toISOString();
}
