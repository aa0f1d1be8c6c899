/**
 * Reading S3's XML answers in the browser with `DOMParser`: the text of a
 * child element, all elements of a name, and an error document's code and
 * message.
 */

export function parseXml(text: string): Document {
  return new DOMParser().parseFromString(text, 'application/xml');
}

/** Elements named `name` anywhere below `root` (namespace-agnostic). */
export function elements(root: Document | Element, name: string): Element[] {
  return Array.from(root.getElementsByTagNameNS('*', name));
}

/** The text of the first direct child named `name`, or undefined. */
export function childText(parent: Element, name: string): string | undefined {
  for (const child of Array.from(parent.children)) if (child.localName === name) return child.textContent ?? '';
  return undefined;
}

export function firstText(root: Document | Element, name: string): string | undefined {
  return elements(root, name)[0]?.textContent ?? undefined;
}
