/**
 * An allow-list HTML sanitiser for product descriptions (supplier text and merchant edits).
 * Browser-safe and DOM-free (the worker has no DOM): a tokenizer keeps only the tags and
 * attributes below, drops scripts, styles, frames, forms, comments and event handlers
 * with their content, keeps links and images only with http(s) URLs, drops tracking
 * pixels (1×1 images, known tracker hosts) and strips utm_* / click-id parameters.
 */

const ALLOWED_TAGS = new Set([
  'p', 'br', 'hr', 'ul', 'ol', 'li', 'strong', 'b', 'em', 'i', 'u', 's', 'small', 'sub', 'sup',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'span', 'div', 'table', 'thead', 'tbody', 'tfoot',
  'tr', 'td', 'th', 'caption', 'img', 'a', 'figure', 'figcaption', 'pre', 'code',
]);
const VOID_TAGS = new Set(['br', 'hr', 'img']);
/** Removed together with everything inside them. */
const DROP_WITH_CONTENT = new Set(['script', 'style', 'iframe', 'noscript', 'object', 'embed', 'template', 'svg', 'math', 'form', 'textarea', 'select', 'button', 'title', 'head']);
const ALLOWED_ATTRS: Record<string, Set<string>> = {
  a: new Set(['href', 'title']),
  img: new Set(['src', 'alt', 'width', 'height', 'title']),
  td: new Set(['colspan', 'rowspan']),
  th: new Set(['colspan', 'rowspan']),
};
const TRACKER_HOSTS = /(^|\.)(google-analytics\.com|googletagmanager\.com|doubleclick\.net|facebook\.com\/tr|mc\.yandex\.ru|bat\.bing\.com|pixel\.|analytics\.|track\.|tracking\.)/i;
const TRACKING_PARAMS = /^(utm_[a-z]+|gclid|fbclid|msclkid|spm|scm|aff_[a-z_]+|_t|pvid|algo_[a-z]+)$/i;

const escapeText = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => s.replace(/&(?![a-zA-Z0-9#]+;)/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const decodeAttr = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** An http(s) URL without tracking parameters, or null. */
export function cleanUrl(raw: string): string | null {
  // Control characters and whitespace inside a scheme ("java\tscript:") are how filters get bypassed.
  const value = decodeAttr(raw).replace(/[\u0000-\u0020\u007f]+/g, '');
  let url: URL;
  try {
    url = new URL(value.startsWith('//') ? `https:${value}` : value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  for (const key of [...url.searchParams.keys()]) if (TRACKING_PARAMS.test(key)) url.searchParams.delete(key);
  return url.toString();
}

function attributesOf(raw: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push([m[1].toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '']);
  return out;
}

function openTag(tag: string, rawAttrs: string): string | null {
  const allowed = ALLOWED_ATTRS[tag];
  const attrs: string[] = [];
  for (const [name, value] of attributesOf(rawAttrs)) {
    if (!allowed?.has(name)) continue;
    if (name === 'href' || name === 'src') {
      const url = cleanUrl(value);
      if (!url) {
        if (tag === 'img') return null;
        continue;
      }
      if (tag === 'img' && TRACKER_HOSTS.test(new URL(url).host + new URL(url).pathname)) return null;
      attrs.push(`${name}="${escapeAttr(url)}"`);
    } else if (name === 'width' || name === 'height' || name === 'colspan' || name === 'rowspan') {
      if (!/^\d{1,4}$/.test(value.trim())) continue;
      // A 1×1 (or 0) image is a tracking pixel, not a picture.
      if (tag === 'img' && Number(value) <= 1) return null;
      attrs.push(`${name}="${value.trim()}"`);
    } else {
      attrs.push(`${name}="${escapeAttr(decodeAttr(value))}"`);
    }
  }
  if (tag === 'img' && !attrs.some((a) => a.startsWith('src='))) return null;
  if (tag === 'a' && attrs.some((a) => a.startsWith('href='))) attrs.push('rel="nofollow noopener"');
  return `<${tag}${attrs.length ? ' ' + attrs.join(' ') : ''}>`;
}

/** The description HTML with only the allowed tags and attributes. */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let dropping: string | null = null;
  let depth = 0;
  const re = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</;
  const g = new RegExp(re.source, 'g');
  for (let m = g.exec(html); m; m = g.exec(html)) {
    const [token, closing, rawName, rawAttrs] = m;
    if (!rawName) {
      if (dropping) continue;
      if (token.startsWith('<!') || token.startsWith('<?')) continue;
      out.push(escapeText(token));
      continue;
    }
    const tag = rawName.toLowerCase();
    if (dropping) {
      if (tag === dropping) depth += closing ? -1 : 1;
      if (depth === 0) dropping = null;
      continue;
    }
    if (DROP_WITH_CONTENT.has(tag)) {
      if (!closing && !/\/\s*$/.test(rawAttrs ?? '')) {
        dropping = tag;
        depth = 1;
      }
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) continue;
    if (closing) {
      const at = open.lastIndexOf(tag);
      if (at < 0) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    const opened = openTag(tag, rawAttrs ?? '');
    if (!opened) continue;
    out.push(opened);
    if (!VOID_TAGS.has(tag)) open.push(tag);
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('').trim();
}
