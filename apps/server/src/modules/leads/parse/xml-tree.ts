// A forgiving XML reader for lead payloads: htmlparser2 in XML mode builds a small tree of our own.
// It accepts what real senders produce: element names in any case (read in lower case), a BOM,
// processing instructions (<?adf version="1.0"?>), CDATA, an unescaped `&`, closing tags that are
// missing (closed where the parent or the document ends) or that close nothing (ignored).
import { Parser } from 'htmlparser2';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export function readXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const top = () => stack[stack.length - 1] ?? root;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const el: XmlElement = { name, attrs, children: [] };
        top().children.push(el);
        stack.push(el);
      },
      onclosetag() {
        if (stack.length > 1) stack.pop();
      },
      ontext(data) {
        const children = top().children;
        const last = children[children.length - 1];
        if (typeof last === 'string') children[children.length - 1] = last + data;
        else children.push(data);
      },
    },
    {
      xmlMode: true,
      lowerCaseTags: true,
      lowerCaseAttributeNames: true,
      recognizeCDATA: true,
      recognizeSelfClosing: true,
      decodeEntities: true,
    },
  );
  parser.end(text.replace(/^\ufeff/, ''));
  return root;
}

/**
 * Descendants named `name`, in document order, nested ones included (a <prospect> whose closing tag
 * is missing holds the next one). The search does not enter elements named in `stopAt` (it may
 * return them), so a section that swallowed the next section does not lend it its children.
 */
export function findAll(el: XmlElement, name: string, stopAt: ReadonlySet<string> = new Set()): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (node: XmlElement) => {
    for (const child of node.children) {
      if (typeof child === 'string') continue;
      if (child.name === name) out.push(child);
      if (!stopAt.has(child.name)) walk(child);
    }
  };
  walk(el);
  return out;
}

export function findFirst(el: XmlElement, name: string, stopAt?: ReadonlySet<string>): XmlElement | undefined {
  return findAll(el, name, stopAt)[0];
}

/** Text directly inside the element (and its CDATA), not that of child elements. */
export function ownText(el: XmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}

/** All text inside the element, child elements included (HTML in comments, for instance). */
export function allText(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : allText(c))).join('');
}

export function hasElements(el: XmlElement): boolean {
  return el.children.some((c) => typeof c !== 'string');
}
