/**
 * Markdown to HTML for entries, with markdown-it and raw HTML turned off: every `<` the author
 * types comes out as text, and markdown-it refuses javascript:, vbscript: and data: links, so the
 * output needs no separate sanitiser (marked leaves that to one, and sanitize-html now needs
 * Node 22).
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

export function renderMarkdown(source: string): string {
  return md.render(source);
}
