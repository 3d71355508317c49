// Colouring of the script language (Rhai) in the workbench's editor: the source split into
// tokens — comments, strings, numbers, keywords, function names — each drawn as a span with a
// class. The spans lie in a <pre> behind the (transparent) textarea, so typing, selecting and
// the caret stay the textarea's own; the text is put in as text, never as markup.

import { html } from './ui.js';

const KEYWORDS = new Set([
  'fn', 'let', 'const', 'if', 'else', 'return', 'true', 'false', 'in', 'for', 'while', 'loop',
  'do', 'until', 'break', 'continue', 'switch', 'throw', 'try', 'catch', 'private', 'this', 'global',
]);

// One alternative per kind, in the order they are tried at a position.
const TOKEN = new RegExp([
  '(\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?(?:\\*\\/|$))', // 1 comment
  '("(?:[^"\\\\\\n]|\\\\.)*"?|`(?:[^`\\\\]|\\\\.)*`?|\'(?:[^\'\\\\\\n]|\\\\.)*\'?)', // 2 string
  '(\\b\\d[\\d_]*(?:\\.\\d+)?(?:e[+-]?\\d+)?\\b)', // 3 number
  '([A-Za-z_][A-Za-z0-9_]*)(?=\\s*\\()', // 4 a name called: a function
  '([A-Za-z_][A-Za-z0-9_]*)', // 5 any other name
].join('|'), 'g');

/** The tokens of `source`: [kind, text] with kind one of comment, string, number, keyword,
 * function, or null for the text between (names, operators, white space). */
export function tokens(source) {
  const out = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    if (m.index > last) out.push([null, source.slice(last, m.index)]);
    let kind = null;
    if (m[1] !== undefined) kind = 'comment';
    else if (m[2] !== undefined) kind = 'string';
    else if (m[3] !== undefined) kind = 'number';
    else if (m[4] !== undefined) kind = KEYWORDS.has(m[4]) ? 'keyword' : 'function';
    else if (m[5] !== undefined && KEYWORDS.has(m[5])) kind = 'keyword';
    out.push([kind, m[0]]);
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push([null, source.slice(last)]);
  return out;
}

/** The coloured copy of `source`, for the <pre> behind the editor. A final newline gets a
 * space after it, so the copy is as tall as the textarea's text. */
export function Highlighted({ source }) {
  const parts = tokens(source).map(([kind, text]) => (kind ? html`<span class=${`tok-${kind}`}>${text}</span>` : text));
  return html`${parts}${source.endsWith('\n') ? ' ' : ''}`;
}
