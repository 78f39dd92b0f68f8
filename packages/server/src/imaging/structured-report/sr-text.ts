import type { ContentItem, StructuredReport } from './sr-document.js';
import { headerLines, relationshipLabel, valueText } from './sr-wording.js';

const INDENT = '  ';

function itemLines(item: ContentItem, depth: number, out: string[]): void {
  const indent = INDENT.repeat(depth);
  const relationship = relationshipLabel(item);
  const name = item.conceptName?.meaning;
  const value = valueText(item.value);
  const observed = item.observationDateTime === undefined ? '' : ` {${item.observationDateTime}}`;
  // Line breaks inside a TEXT value stay, indented under the item.
  const valueLines = value.split(/\r\n|\r|\n/);
  const head = relationship === '' ? '' : `[${relationship}] `;
  const named = name === undefined ? '' : value === '' ? name : `${name}: `;
  const first = `${head}${named}${valueLines[0]!}`;
  out.push(`${indent}${first}${observed}`.trimEnd());
  for (const line of valueLines.slice(1)) out.push(`${indent}${INDENT}${line}`.trimEnd());
  for (const child of item.children) itemLines(child, depth + 1, out);
  if (item.truncated) out.push(`${indent}${INDENT}(content nested deeper is not shown)`);
}

/** A Structured Report as plain text (`text/plain`, PS3.18 §8.7.4): header, then the indented tree. */
export function structuredReportText(report: StructuredReport): string {
  const out = [report.title, '='.repeat(Math.max(report.title.length, 3)), ''];
  const lines = headerLines(report);
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) out.push(`${label.padEnd(width)} : ${value}`);
  out.push('');
  for (const item of report.content) itemLines(item, 0, out);
  if (report.truncated) out.push('(content nested deeper is not shown)');
  return `${out.join('\n')}\n`;
}
