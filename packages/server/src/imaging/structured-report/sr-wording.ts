import type { CodedConcept, ContentItem, ContentValue, StructuredReport } from './sr-document.js';

/** Relationship types (PS3.3 §C.17.3.2.4) as a reader says them; CONTAINS, the usual one, says nothing. */
const RELATIONSHIPS: Record<string, string> = {
  CONTAINS: '',
  'HAS PROPERTIES': 'property',
  'HAS OBS CONTEXT': 'observation context',
  'HAS ACQ CONTEXT': 'acquisition context',
  'HAS CONCEPT MOD': 'concept modifier',
  'INFERRED FROM': 'inferred from',
  'SELECTED FROM': 'selected from',
};

/** How an item relates to its parent, in words; empty for CONTAINS (and at the root). */
export function relationshipLabel(item: ContentItem): string {
  if (item.relationship === undefined) return '';
  return RELATIONSHIPS[item.relationship] ?? item.relationship.toLowerCase();
}

// UCUM's code is what readers expect to see (`mm`, `cm2`, `Hz`); "1" is the unit of a pure number.
function unitText(unit: CodedConcept | undefined): string {
  if (unit === undefined) return '';
  const [code = '', scheme = ''] = unit.code.split(' (');
  if (scheme.startsWith('UCUM') && code !== '') return code === '1' ? '' : ` ${code}`;
  return ` ${unit.meaning}`;
}

/** An item's value as plain text (no markup): what follows its concept name. */
export function valueText(value: ContentValue): string {
  switch (value.kind) {
    case 'container':
    case 'empty':
      return '';
    case 'text':
      return value.text;
    case 'code':
      return value.concept.meaning;
    case 'measurement': {
      const measured = value.value === '' ? '' : `${value.value}${unitText(value.unit)}`;
      const qualifier = value.qualifier?.meaning ?? '';
      return measured !== '' && qualifier !== '' ? `${measured} (${qualifier})` : measured || qualifier;
    }
    case 'reference':
    case 'coordinates':
      return value.description;
    case 'by-reference':
      return `see item ${value.target}${value.targetName !== undefined ? ` (${value.targetName})` : ''}`;
  }
}

/** The header lines of a report (label, value), in reading order; absent values left out. */
export function headerLines(report: StructuredReport): [string, string][] {
  const lines: [string, string | undefined][] = [
    ['Patient', report.patient.name],
    ['Patient ID', report.patient.id],
    ['Birth date', report.patient.birthDate],
    ['Sex', report.patient.sex],
    ['Study', report.study.description],
    ['Study date', report.study.date],
    ['Accession number', report.study.accessionNumber],
    ['Referring physician', report.study.referringPhysician],
    ['Series', report.series.description],
    ['Institution', report.institution],
    ['Document', report.documentType],
    ['Content date', report.contentDateTime],
    [
      'Completion',
      report.completion === undefined
        ? undefined
        : `${report.completion.flag}${report.completion.description !== undefined ? ` (${report.completion.description})` : ''}`,
    ],
    ['Verification', report.verification],
    ['Preliminary', report.preliminary],
    ...report.verifyingObservers.map((observer): [string, string] => [
      'Verified by',
      [observer.name, observer.organization, observer.dateTime].filter((v) => v !== undefined).join(', '),
    ]),
  ];
  return lines.filter((line): line is [string, string] => line[1] !== undefined && line[1] !== '');
}
