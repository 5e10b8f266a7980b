// Finds the ADF document inside a raw e-mail (RFC 822 / MIME). Synchronous and pure: the MIME tree is
// walked here (multipart nesting, forwarded message/rfc822, base64 and quoted-printable, charsets through
// TextDecoder: utf-8, gb2312/gbk/gb18030, big5 …); RFC 2047 encoded words and address lists are decoded
// by postal-mime's helpers (its full parser is asynchronous, which the intake contract is not).
//
// Where the ADF is looked for, first match wins: an attachment that is ADF (application/x-adf+xml, an XML
// type, or a .xml/.adf file name), then `<adf>…</adf>` (or bare `<prospect>`s) in a text/plain body, then
// in a text/html body (escaped or not). Further ADF attachments are reported, not read.
import type { IntakeProblem } from '@forecourt/contracts';
import { addressParser, decodeWords } from 'postal-mime';

export interface FoundAdf {
  xml: string | null;
  subject: string | null;
  /** The sender's address (lower case), without the display name. */
  from: string | null;
  problems: IntakeProblem[];
}

interface Part {
  headers: Map<string, string>;
  /** Raw bytes of the body as a latin1 ("binary") string: one char per byte. */
  body: string;
  /** Where in the message, for problems: "part 2.1 (lead.xml)". */
  label: string;
}

const MAX_DEPTH = 10;

export function findAdfInEmail(raw: Buffer | string): FoundAdf {
  const problems: IntakeProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ index: 0, path, message });
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const message = splitMessage(bytes.toString('latin1'), 'message');

  const subject = headerText(message.headers.get('subject'));
  const fromHeader = headerText(message.headers.get('from'));
  const from = fromHeader ? firstAddress(fromHeader) : null;

  const attachments: { xml: string; label: string }[] = [];
  const plain: { text: string; label: string }[] = [];
  const html: { text: string; label: string }[] = [];
  walk(message, 0, { attachments, plain, html }, problem);

  let xml: string | null = null;
  if (attachments.length > 0) {
    const first = attachments[0];
    xml = first?.xml ?? null;
    for (const other of attachments.slice(1)) {
      if (other.xml.trim() !== xml?.trim()) problem(other.label, `a further ADF attachment was not read; send one ADF document per e-mail`);
    }
  } else {
    for (const { text } of plain) {
      xml = extractAdf(text);
      if (xml) break;
    }
    if (!xml) {
      for (const { text } of html) {
        xml = extractAdf(text) ?? extractAdf(unescapeHtml(text));
        if (xml) break;
      }
    }
  }
  if (!xml) problem('', 'no ADF found in the e-mail: no ADF/XML attachment and no <adf> document in its text');
  return { xml, subject, from, problems };
}

interface Found {
  attachments: { xml: string; label: string }[];
  plain: { text: string; label: string }[];
  html: { text: string; label: string }[];
}

function walk(part: Part, depth: number, found: Found, problem: (path: string, message: string) => void): void {
  if (depth > MAX_DEPTH) {
    problem(part.label, `MIME parts are nested more than ${MAX_DEPTH} deep; the inner parts were not read`);
    return;
  }
  const type = parseHeaderValue(part.headers.get('content-type') ?? 'text/plain');
  const mime = type.value.toLowerCase() || 'text/plain';
  const disposition = parseHeaderValue(part.headers.get('content-disposition') ?? '');
  const filename = disposition.params.get('filename') ?? type.params.get('name') ?? null;
  const label = filename ? `${part.label} (${filename})` : part.label;

  if (mime.startsWith('multipart/')) {
    const boundary = type.params.get('boundary');
    if (!boundary) {
      problem(label, `${mime} without a boundary; its body was read as text`);
      found.plain.push({ text: part.body, label });
      return;
    }
    splitMultipart(part.body, boundary).forEach((body, i) => {
      const childLabel = part.label === 'message' ? `part ${i + 1}` : `${part.label}.${i + 1}`;
      walk(splitMessage(body, childLabel), depth + 1, found, problem);
    });
    return;
  }
  if (mime === 'message/rfc822') {
    walk(
      splitMessage(decodeTransfer(part, problem), `${part.label === 'message' ? 'part 1' : part.label} forwarded`),
      depth + 1,
      found,
      problem,
    );
    return;
  }

  const isAdfAttachment =
    mime === 'application/x-adf+xml' ||
    mime === 'application/adf+xml' ||
    ((mime === 'application/xml' || mime === 'text/xml') && disposition.value.toLowerCase() === 'attachment') ||
    (filename !== null && /\.(xml|adf)$/i.test(filename));
  const isText = mime === 'text/plain' || mime === 'text/html' || mime === 'application/xml' || mime === 'text/xml';
  if (!isAdfAttachment && !isText) return;

  const binary = decodeTransfer(part, problem);
  const text = decodeCharset(binary, type.params.get('charset') ?? xmlDeclaredEncoding(binary), label, problem);
  if (isAdfAttachment) found.attachments.push({ xml: text.replace(/^\ufeff/, ''), label });
  else if (mime === 'text/html') found.html.push({ text, label });
  else found.plain.push({ text, label });
}

/** Headers (unfolded, names in lower case, first occurrence kept) and body of a message or part. */
function splitMessage(raw: string, label: string): Part {
  const headers = new Map<string, string>();
  const binary = raw.replace(/^From [^\n]*\n/, ''); // an mbox separator line
  const m = /\r?\n\r?\n/.exec(binary);
  const head = m ? binary.slice(0, m.index) : binary;
  // Without a blank line, or when the first line is no header, it is all body (a pasted ADF, say).
  if (!/^[!-9;-~]+:/.test(head)) return { headers, body: binary, label };
  if (!m) return { headers: readHeaders(head), body: '', label };
  return { headers: readHeaders(head), body: binary.slice(m.index + m[0].length), label };
}

function readHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = head.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** A header as text: raw 8-bit bytes read as UTF-8 (else GB18030), then RFC 2047 encoded words decoded. */
function headerText(binary: string | undefined): string | null {
  if (binary === undefined) return null;
  const bytes = Buffer.from(binary, 'latin1');
  let text = new TextDecoder('utf-8').decode(bytes);
  if (text.includes('\ufffd')) text = new TextDecoder('gb18030').decode(bytes);
  const decoded = decodeWords(text).replace(/\s+/g, ' ').trim();
  return decoded === '' ? null : decoded;
}

function firstAddress(from: string): string | null {
  for (const entry of addressParser(from, { flatten: true })) {
    if (entry.address) return entry.address.toLowerCase();
  }
  return null;
}

/** `type/subtype; a=b; c="d"` → value and parameters (names lower case; RFC 2231 `name*=` decoded). */
function parseHeaderValue(header: string): { value: string; params: Map<string, string> } {
  const text = headerText(header) ?? '';
  const [value = '', ...rest] = splitParams(text);
  const params = new Map<string, string>();
  const continued = new Map<string, string[]>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    let v = param.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    const cont = /^(.+?)\*(\d+)\*?$/.exec(key);
    if (cont) {
      const list = continued.get(cont[1] ?? '') ?? [];
      list[Number(cont[2])] = v;
      continued.set(cont[1] ?? '', list);
    } else if (key.endsWith('*')) {
      params.set(key.slice(0, -1), decode2231(v));
    } else {
      params.set(key, v);
    }
  }
  for (const [key, list] of continued) params.set(key, decode2231(list.join('')));
  return { value: value.trim(), params };
}

function splitParams(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** RFC 2231: `utf-8''%E7%BA%BF%E7%B4%A2.xml` → 线索.xml. Values without the charset prefix are returned as they are. */
function decode2231(value: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (!m) return value;
  const bytes = Buffer.from(
    (m[2] ?? '').replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  try {
    return new TextDecoder(m[1] || 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** Bodies of the parts between `--boundary` lines; a missing closing boundary ends the last part at the end. */
function splitMultipart(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  const lines = body.split(/\r?\n/);
  let current: string[] | null = null;
  for (const line of lines) {
    const trimmed = line.trimEnd();
    if (trimmed === delimiter || trimmed === `${delimiter}--`) {
      if (current) parts.push(current.join('\r\n'));
      current = trimmed === delimiter ? [] : null;
      if (trimmed !== delimiter) break;
      continue;
    }
    current?.push(line);
  }
  if (current && current.length > 0) parts.push(current.join('\r\n'));
  return parts;
}

function decodeTransfer(part: Part, problem: (path: string, message: string) => void): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  if (encoding === 'quoted-printable') {
    return part.body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  if (!['7bit', '8bit', 'binary', ''].includes(encoding)) {
    problem(part.label, `unknown Content-Transfer-Encoding "${encoding}"; the body was read as it is`);
  }
  return part.body;
}

/** `<?xml version="1.0" encoding="GB2312"?>` at the start of the bytes, when there is no charset parameter. */
function xmlDeclaredEncoding(binary: string): string | undefined {
  return /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(binary.replace(/^\xef\xbb\xbf/, ''))?.[1];
}

function decodeCharset(
  binary: string,
  charset: string | undefined,
  label: string,
  problem: (path: string, message: string) => void,
): string {
  const bytes = Buffer.from(binary, 'latin1');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (charset) {
    try {
      return new TextDecoder(charset.trim().toLowerCase() === 'gb2312' ? 'gb18030' : charset.trim()).decode(bytes);
    } catch {
      problem(label, `unknown charset "${charset}"; the text was read as UTF-8`);
    }
  }
  // No (known) charset: UTF-8 if the bytes are UTF-8, else the Chinese mail default.
  const utf8 = new TextDecoder('utf-8').decode(bytes);
  return utf8.includes('\ufffd') ? new TextDecoder('gb18030').decode(bytes) : utf8;
}

const ADF_DOC = /(?:<\?xml[^>]*\?>\s*)?(?:<\?adf[^>]*\?>\s*)?<adf[\s>][\s\S]*?(?:<\/adf\s*>|$)/i;
const PROSPECTS = /<prospect[\s>][\s\S]*(?:<\/prospect\s*>|$)/i;

/** The ADF document inside a text: from its XML declaration (if any) to </adf> or the end of the text. */
function extractAdf(text: string): string | null {
  const doc = ADF_DOC.exec(text) ?? PROSPECTS.exec(text);
  return doc ? doc[0].trim() : null;
}

function unescapeHtml(html: string): string {
  if (!/&lt;(adf|prospect)/i.test(html)) return html;
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|span|pre|font|b|i|code)(\s[^>]*)?>/gi, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
