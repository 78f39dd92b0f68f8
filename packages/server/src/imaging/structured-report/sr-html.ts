import type { ContentItem, StructuredReport } from './sr-document.js';
import { headerLines, relationshipLabel, valueText } from './sr-wording.js';

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

// Values keep their line breaks (TEXT items are often paragraphs); nesting is shown by indentation.
const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;line-height:1.4}
table.header{border-collapse:collapse;margin-bottom:1em}
table.header th{text-align:left;padding:0.1em 1em 0.1em 0;font-weight:600;vertical-align:top}
ul.content{list-style:none;padding-left:1.5em;margin:0.2em 0}
.value{white-space:pre-wrap}
.relationship{color:#666;font-style:italic}
.concept{font-weight:600}
.observed{color:#666}`;

function itemHtml(item: ContentItem, depth: number): string {
  const relationship = relationshipLabel(item);
  const name = item.conceptName;
  const value = valueText(item.value);
  const parts: string[] = [];
  if (relationship !== '') parts.push(`<span class="relationship">${escapeHtml(relationship)}</span> `);
  const titled = (text: string) =>
    name?.code
      ? `<span class="concept" title="${escapeHtml(name.code)}">${text}</span>`
      : `<span class="concept">${text}</span>`;
  const children = item.children.map((child) => itemHtml(child, depth + 1)).join('');
  const truncated = item.truncated ? '<li>(content nested deeper is not shown)</li>' : '';
  const list = children === '' && truncated === '' ? '' : `<ul class="content">${children}${truncated}</ul>`;
  const observed =
    item.observationDateTime === undefined
      ? ''
      : ` <span class="observed">(${escapeHtml(item.observationDateTime)})</span>`;
  if (item.value.kind === 'container' && name !== undefined) {
    // A container is a section of the report: its concept name is the heading (h2 … h6).
    const level = Math.min(depth + 2, 6);
    const heading = `<h${level}>${parts.join('')}${escapeHtml(name.meaning)}${observed}</h${level}>`;
    return `<li><section>${heading}${list}</section></li>`;
  }
  if (name !== undefined) parts.push(`${titled(escapeHtml(name.meaning))}${value === '' ? '' : ': '}`);
  if (value !== '') parts.push(`<span class="value">${escapeHtml(value)}</span>`);
  return `<li>${parts.join('')}${observed}${list}</li>`;
}

/**
 * A Structured Report as an HTML document (`text/html`, UTF-8; PS3.18 §8.7.4): the header as a table,
 * then the content tree, containers as headed sections. Every value is escaped: a report's text is data.
 */
export function structuredReportHtml(report: StructuredReport): string {
  const header = headerLines(report)
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const items = report.content.map((item) => itemHtml(item, 0)).join('\n');
  const truncated = report.truncated ? '<p>(content nested deeper is not shown)</p>' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<table class="header">
${header}
</table>
<ul class="content">
${items}
</ul>
${truncated}
</body>
</html>
`;
}
