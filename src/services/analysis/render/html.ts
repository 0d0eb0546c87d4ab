/**
 * The report as one standalone HTML page: inline CSS, no scripts, no external assets (fonts,
 * images, styles), and a Content-Security-Policy that forbids loading any. Every value is
 * HTML-escaped, attributes included: repository content is hostile.
 */
import type { Report } from '../../../contracts/report.js';
import { buildReportView, reportTitle, type Block } from './report-view.js';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.6rem;border-bottom:1px solid #d0d7de;padding-bottom:.4rem}
h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #eaeef2;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f6f8fa}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.6rem 0}
dt{font-weight:600}dd{margin:0;word-break:break-word}
.note{color:#59636e;font-size:.85rem}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}th{background:#161b22}th,td{border-color:#30363d}}
`;

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'facts':
      return `<dl>${block.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
    case 'table': {
      const head = `<tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const body = block.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
      const note = block.note === undefined ? '' : `<p class="note">${escapeHtml(block.note)}</p>`;
      return `<table><thead>${head}</thead><tbody>\n${body}\n</tbody></table>${note}`;
    }
  }
}

export function renderHtml(report: Report): string {
  const sections = buildReportView(report)
    .map((s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(renderBlock).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="repolens ${escapeHtml(report.identity.repolens_version)}">
<title>${escapeHtml(reportTitle(report))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(reportTitle(report))}</h1>
${sections}
</body>
</html>
`;
}
