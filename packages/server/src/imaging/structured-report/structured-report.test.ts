import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readPart10 } from '@lightbox/dicom';
import { sequenceElement, textElement } from '@lightbox/dicom/test-support';
import { describe, expect, it } from 'vitest';
import { PYDICOM_TEST_FILES } from '../../test-support/pydicom-copy.js';
import { readStructuredReport } from './sr-document.js';
import { structuredReportHtml } from './sr-html.js';
import { structuredReportText } from './sr-text.js';
import { formatDateTime, formatPersonName, formatTime } from './sr-values.js';

async function testSr() {
  const { dataSet } = await readPart10(await readFile(path.join(PYDICOM_TEST_FILES, 'test-SR.dcm')));
  return { dataSet, report: readStructuredReport(dataSet) };
}

describe('Structured Report rendering (PS3.3 §C.17, PS3.18 §8.7.4)', () => {
  it('reads the header and the content tree of a Comprehensive SR', async () => {
    const { report } = await testSr();
    expect(report.title).toBe('Diagnosis');
    expect(report.documentType).toBe('Comprehensive SR Storage');
    expect(report.patient.name).toBe('S R Test');
    expect(report.completion).toEqual({ flag: 'COMPLETE', description: 'This document is completed!' });
    expect(report.verification).toBe('VERIFIED');
    // ISO_IR 100, decoded by the reader.
    expect(report.verifyingObservers[0]).toMatchObject({
      name: 'Jörg Riesmeier',
      organization: 'OFFIS e.V.',
    });
    const [uidRef, container] = report.content;
    expect(uidRef).toMatchObject({
      relationship: 'HAS OBS CONTEXT',
      valueType: 'UIDREF',
      conceptName: { meaning: 'Some UID' },
      value: { kind: 'text', text: '1.2.3.4.5' },
    });
    expect(container!.value).toEqual({ kind: 'container', continuous: true });
    const diameter = container!.children.find((c) => c.valueType === 'NUM')!;
    expect(diameter.value).toMatchObject({
      kind: 'measurement',
      value: '3',
      unit: { meaning: 'Length Unit' },
    });
  });

  it('writes plain text with every concept name and value, by-reference items resolved', async () => {
    const text = structuredReportText((await testSr()).report);
    expect(text.startsWith('Diagnosis\n=========\n')).toBe(true);
    expect(text).toContain('Verified by');
    expect(text).toContain('Jörg Riesmeier, OFFIS e.V., 2001-02-13 18:47:46');
    expect(text).toContain('[observation context] Some UID: 1.2.3.4.5');
    expect(text).toContain('Text Code: A mass of');
    expect(text).toContain('[concept modifier] Code: Sample Code 1');
    expect(text).toContain('Diameter: 3 Length Unit');
    expect(text).toContain('[acquisition context] Date: 2000-12-06');
    expect(text).toContain('[acquisition context] Time: 12:00:00');
    expect(text).toContain('[acquisition context] DateTime: 2000-12-06 12:00:00');
    expect(text).toContain('Basic Text SR Storage');
    expect(text).toMatch(/SCoord Code: CIRCLE \(0, 0\)/);
    expect(text).toContain('TCoord Code: SEGMENT: time offsets 1, 2.5 s');
    expect(text).toMatch(/\[selected from\] see item 1\.3\.2 \(SCoord Code\)/);
  });

  it('writes well-formed HTML, every value escaped', async () => {
    const { dataSet } = await testSr();
    const items = dataSet.get(0x0040a730)!.items!;
    const hostile = sequenceElement(0x0040a043, [
      [textElement(0x00080100, 'SH', 'X'), textElement(0x00080104, 'LO', 'Finding "quoted" & <b>')],
    ]);
    items[2]!.set(textElement(0x0040a160, 'UT', '<script>alert(1)</script>'));
    items[2]!.set(hostile);
    items[1]!.set(
      sequenceElement(0x0040a043, [
        [textElement(0x00080100, 'SH', 'F'), textElement(0x00080104, 'LO', 'Findings')],
      ]),
    );
    const html = structuredReportHtml(readStructuredReport(dataSet));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Diagnosis</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Finding &quot;quoted&quot; &amp; &lt;b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Jörg Riesmeier');
    expect(html).toContain('<h1>Diagnosis</h1>');
    // A named container is a section headed by its concept name.
    expect(html).toContain(
      '<section><h2>Findings</h2><ul class="content"><li><span class="concept" title="1234 (99_OFFIS_DCMTK)">Text Code</span>: <span class="value">A mass of</span>',
    );
    // Every element opened is closed, in order.
    const stack: string[] = [];
    for (const [, close, name] of html.matchAll(
      /<(\/?)(ul|li|section|h[1-6]|table|tr|th|td|span|p|body|html|head|title|style)\b[^>]*>/g,
    )) {
      if (close === '') stack.push(name!);
      else expect(stack.pop()).toBe(name);
    }
    expect(stack).toEqual([]);
  });

  it('formats DICOM dates, times and person names for readers', () => {
    expect(formatPersonName('Müller^Jürgen^K^Dr.^MD')).toBe('Dr. Jürgen K Müller, MD');
    expect(formatPersonName('Yamada^Tarou=山田^太郎')).toBe('Tarou Yamada (太郎 山田)');
    expect(formatTime('1015')).toBe('10:15');
    expect(formatDateTime('20240315101500.5+0100')).toBe('2024-03-15 10:15:00.5 +0100');
    expect(formatDateTime('garbage')).toBe('garbage');
  });
});
