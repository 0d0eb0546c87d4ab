/**
 * Just enough XML for build files (pom.xml, *.csproj, packages.config): comments and CDATA are
 * removed, elements found by name, attributes read, entities decoded. Not a validating parser.
 * The files are hostile, so every scan is indexOf-based and linear: a lazy regex such as
 * `<a>[\s\S]*?</a>` turns quadratic on a file full of unclosed tags.
 */

/** Removes every `open … close` span (an unclosed one runs to the end); linear. */
export function removeSpans(text: string, open: string, close: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const start = text.indexOf(open, from);
    if (start === -1) return out + text.slice(from);
    out += text.slice(from, start);
    const end = text.indexOf(close, start + open.length);
    if (end === -1) return out;
    from = end + close.length;
  }
}

export function stripXmlComments(xml: string): string {
  return removeSpans(removeSpans(xml, '<!--', '-->'), '<![CDATA[', ']]>');
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

interface Element {
  readonly start: number;
  readonly end: number;
  readonly attributes: string;
  readonly body: string;
}

/** Every `<name …/>` or `<name …>…</name>` in order (not nested in itself); linear. */
function scan(xml: string, name: string): Element[] {
  const found: Element[] = [];
  const opener = new RegExp(`<${name}(?=[\\s/>])`, 'g');
  const closer = `</${name}`;
  let match: RegExpExecArray | null;
  while ((match = opener.exec(xml)) !== null) {
    const tagEnd = xml.indexOf('>', match.index);
    if (tagEnd === -1) break;
    const selfClosing = xml[tagEnd - 1] === '/';
    const attributes = xml.slice(match.index + name.length + 1, selfClosing ? tagEnd - 1 : tagEnd);
    if (selfClosing) {
      found.push({ start: match.index, end: tagEnd + 1, attributes, body: '' });
      opener.lastIndex = tagEnd + 1;
      continue;
    }
    const close = xml.indexOf(closer, tagEnd + 1);
    if (close === -1) break;
    const closeEnd = xml.indexOf('>', close);
    const end = closeEnd === -1 ? xml.length : closeEnd + 1;
    found.push({ start: match.index, end, attributes, body: xml.slice(tagEnd + 1, close) });
    opener.lastIndex = end;
  }
  return found;
}

/** Inner text of every `<name>…</name>`. */
export function elements(xml: string, name: string): string[] {
  return scan(xml, name).map((element) => element.body);
}

/** Text of the first `<name>` element, or null. */
export function childText(xml: string, name: string): string | null {
  const first = scan(xml, name)[0];
  return first === undefined ? null : decodeEntities(first.body);
}

/** Every `<name …>` with its attributes (names lower-cased) and body. */
export function tags(xml: string, name: string): { attributes: Record<string, string>; body: string }[] {
  return scan(xml, name).map((element) => {
    const attributes: Record<string, string> = {};
    for (const a of element.attributes.matchAll(/([A-Za-z_:][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes[(a[1] as string).toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? '');
    }
    return { attributes, body: element.body };
  });
}

/** Removes every `<name>…</name>` block. */
export function without(xml: string, name: string): string {
  let out = '';
  let from = 0;
  for (const element of scan(xml, name)) {
    out += xml.slice(from, element.start);
    from = element.end;
  }
  return out + xml.slice(from);
}
