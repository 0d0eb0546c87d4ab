/** Renderers of the analysis report: Markdown and standalone HTML, both escaping every value. */
export { escapeMarkdown, renderMarkdown } from './markdown.js';
export { escapeHtml, renderHtml } from './html.js';
