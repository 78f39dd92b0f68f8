import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSet, readPart10, type DataElement } from '@lightbox/dicom';
import { sequenceElement, textElement } from '@lightbox/dicom/test-support';
import { describe, expect, it } from 'vitest';
import { PYDICOM_TEST_FILES } from '../../test-support/pydicom-copy.js';
import { MAX_DEPTH, readStructuredReport, type ContentItem } from './sr-document.js';
import { escapeHtml, structuredReportHtml } from './sr-html.js';
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

  describe('edge cases of the content tree', () => {
    const TRUNCATION = '(content nested deeper is not shown)';
    const code = (value: string, meaning: string, scheme = '99TEST') =>
      sequenceElement(0x0040a043, [
        [
          textElement(0x00080100, 'SH', value),
          textElement(0x00080102, 'SH', scheme),
          textElement(0x00080104, 'LO', meaning),
        ],
      ]);
    const item = (elements: DataElement[]) => elements;
    /** A Comprehensive SR document (root CONTAINER) holding these content items. */
    const document = (content: DataElement[][]) => {
      const dataSet = new DataSet(true);
      for (const element of [
        textElement(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.88.33'),
        textElement(0x00100010, 'PN', 'Edge^Case'),
        textElement(0x0040a040, 'CS', 'CONTAINER'),
        code('T1', 'Edge report'),
        sequenceElement(0x0040a730, content),
      ]) {
        dataSet.set(element);
      }
      return dataSet;
    };
    /** TEXT items nested `levels` deep, each the only child of the one before, `Level n` their names. */
    const nested = (levels: number): DataElement[] => {
      let children: DataElement[][] = [];
      for (let level = levels; level >= 1; level--) {
        children = [
          [
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            textElement(0x0040a040, 'CS', 'TEXT'),
            code(`L${level}`, `Level ${level}`),
            textElement(0x0040a160, 'UT', `value ${level}`),
            ...(children.length > 0 ? [sequenceElement(0x0040a730, children)] : []),
          ],
        ];
      }
      return children[0]!;
    };
    const depthOf = (items: ContentItem[]): number =>
      items.length === 0 ? 0 : 1 + Math.max(...items.map((i) => depthOf(i.children)));
    const allItems = (items: ContentItem[]): ContentItem[] =>
      items.flatMap((i) => [i, ...allItems(i.children)]);

    it(`cuts content nested deeper than MAX_DEPTH (${MAX_DEPTH}) and says so, once, where it stopped`, () => {
      const report = readStructuredReport(document([nested(MAX_DEPTH + 6)]));
      expect(depthOf(report.content)).toBe(MAX_DEPTH);
      const items = allItems(report.content);
      expect(items).toHaveLength(MAX_DEPTH);
      // Only the deepest item shown is marked: its children are left out.
      expect(items.filter((i) => i.truncated).map((i) => i.conceptName?.meaning)).toEqual([
        `Level ${MAX_DEPTH}`,
      ]);
      const html = structuredReportHtml(report);
      expect(html).toContain(`Level ${MAX_DEPTH}</span>`);
      expect(html).not.toContain(`Level ${MAX_DEPTH + 1}<`);
      expect(html).not.toContain(`value ${MAX_DEPTH + 1}<`);
      expect(html.split(TRUNCATION)).toHaveLength(2);
      expect(html).toContain(`<li>${TRUNCATION}</li>`);
      const text = structuredReportText(report);
      expect(text).toContain(`Level ${MAX_DEPTH}: value ${MAX_DEPTH}`);
      expect(text).not.toContain(`Level ${MAX_DEPTH + 1}`);
      expect(text.split(TRUNCATION)).toHaveLength(2);
      // The note sits under the last item shown, one step deeper than it.
      const lines = text.split('\n');
      const last = lines.findIndex((l) => l.includes(`Level ${MAX_DEPTH}:`));
      const indent = (line: string) => line.length - line.trimStart().length;
      expect(lines[last + 1]!.trim()).toBe(TRUNCATION);
      expect(indent(lines[last + 1]!)).toBe(indent(lines[last]!) + 2);
    });

    it('does not mark a tree exactly MAX_DEPTH deep as cut', () => {
      const report = readStructuredReport(document([nested(MAX_DEPTH)]));
      expect(depthOf(report.content)).toBe(MAX_DEPTH);
      expect(allItems(report.content).some((i) => i.truncated)).toBe(false);
      expect(structuredReportHtml(report)).not.toContain(TRUNCATION);
      expect(structuredReportText(report)).not.toContain(TRUNCATION);
    });

    it('stops reading a crafted tree thousands of levels deep (no stack overflow, no time lost)', () => {
      const started = Date.now();
      const report = readStructuredReport(document([nested(20_000)]));
      const html = structuredReportHtml(report);
      const text = structuredReportText(report);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(depthOf(report.content)).toBe(MAX_DEPTH);
      expect(html).not.toContain(`Level ${MAX_DEPTH + 1}<`);
      expect(html.split(TRUNCATION)).toHaveLength(2);
      expect(text.split(TRUNCATION)).toHaveLength(2);
    });

    it('renders items without a value type, with an empty concept name or without a measured value', () => {
      const report = readStructuredReport(
        document([
          // No Value Type (0040,A040) at all: named, its value not guessed.
          item([
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            code('NV', 'No value type'),
            textElement(0x0040a160, 'UT', 'ignored text'),
          ]),
          // An empty Concept Name Code Sequence: a value without a name.
          item([
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            textElement(0x0040a040, 'CS', 'TEXT'),
            sequenceElement(0x0040a043, []),
            textElement(0x0040a160, 'UT', 'nameless text'),
          ]),
          // A concept name item whose code and meaning are empty: no name either.
          item([
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            textElement(0x0040a040, 'CS', 'CODE'),
            sequenceElement(0x0040a043, [
              [textElement(0x00080100, 'SH', ''), textElement(0x00080104, 'LO', '')],
            ]),
            sequenceElement(0x0040a168, [
              [textElement(0x00080100, 'SH', 'C1'), textElement(0x00080104, 'LO', 'coded answer')],
            ]),
          ]),
          // A NUM without its Measured Value Sequence (a measurement not made).
          item([
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            textElement(0x0040a040, 'CS', 'NUM'),
            code('NUM1', 'Unmeasured'),
          ]),
          // A NUM whose Measured Value Sequence is there but empty, with a qualifier saying why.
          item([
            textElement(0x0040a010, 'CS', 'CONTAINS'),
            textElement(0x0040a040, 'CS', 'NUM'),
            code('NUM2', 'Qualified'),
            sequenceElement(0x0040a300, []),
            sequenceElement(0x0040a301, [
              [
                textElement(0x00080100, 'SH', '114006'),
                textElement(0x00080102, 'SH', 'DCM'),
                textElement(0x00080104, 'LO', 'Measurement failure'),
              ],
            ]),
          ]),
          // A CODE without its Concept Code Sequence, and no relationship type.
          item([textElement(0x0040a040, 'CS', 'CODE'), code('C0', 'Codeless')]),
          // Nothing at all.
          item([]),
        ]),
      );
      const [untyped, nameless, emptyName, unmeasured, qualified, codeless, bare] = report.content;
      expect(untyped).toMatchObject({
        valueType: 'UNKNOWN',
        conceptName: { meaning: 'No value type' },
        value: { kind: 'empty' },
      });
      expect(nameless!.conceptName).toBeUndefined();
      expect(nameless!.value).toEqual({ kind: 'text', text: 'nameless text' });
      expect(emptyName!.conceptName).toBeUndefined();
      expect(emptyName!.value).toMatchObject({ kind: 'code', concept: { meaning: 'coded answer' } });
      expect(unmeasured!.value).toEqual({ kind: 'measurement', value: '' });
      expect(qualified!.value).toEqual({
        kind: 'measurement',
        value: '',
        qualifier: { meaning: 'Measurement failure', code: '114006 (DCM)' },
      });
      expect(codeless!.value).toEqual({ kind: 'empty' });
      expect(codeless!.relationship).toBeUndefined();
      expect(bare).toMatchObject({ valueType: 'UNKNOWN', value: { kind: 'empty' }, children: [] });

      const html = structuredReportHtml(report);
      expect(html).toContain('<li><span class="concept" title="NV (99TEST)">No value type</span></li>');
      expect(html).not.toContain('ignored text');
      expect(html).toContain('<li><span class="value">nameless text</span></li>');
      expect(html).toContain('<li><span class="value">coded answer</span></li>');
      expect(html).toContain('<li><span class="concept" title="NUM1 (99TEST)">Unmeasured</span></li>');
      expect(html).toContain(
        '<li><span class="concept" title="NUM2 (99TEST)">Qualified</span>: <span class="value">Measurement failure</span></li>',
      );
      expect(html).toContain('<li></li>');
      expect(html).not.toContain('undefined');
      const text = structuredReportText(report);
      expect(text).not.toContain('undefined');
      expect(text).toContain('\nNo value type\n');
      expect(text).toContain('\nnameless text\n');
      expect(text).toContain('\nUnmeasured\n');
      expect(text).toContain('\nQualified: Measurement failure\n');
      expect(text).toContain('\nCodeless\n');
    });

    it('escapes markup and quotes in values, names, codes (attributes), relationships and the header', () => {
      const attack = `"><script>alert(1)</script><x a='`;
      const report = readStructuredReport(
        document([
          item([
            textElement(0x0040a010, 'CS', 'HAS PROPERTIES'),
            textElement(0x0040a040, 'CS', 'TEXT'),
            // The code goes into a title attribute: quotes must not end it.
            code(`C" onmouseover="alert(1)`, `Name <b>"bold"</b>`, `S'"`),
            textElement(0x0040a160, 'UT', `<script>alert(1)</script> "quoted" & 'single'`),
            textElement(0x0040a032, 'DT', '20240101'),
          ]),
          item([
            textElement(0x0040a010, 'CS', '<IMG SRC=X>'), // an unknown relationship type, as written
            textElement(0x0040a040, 'CS', 'CONTAINER'),
            code('H', attack),
            sequenceElement(0x0040a730, [
              [
                textElement(0x0040a010, 'CS', 'CONTAINS'),
                textElement(0x0040a040, 'CS', 'NUM'),
                code('N', 'Size'),
                sequenceElement(0x0040a300, [
                  [
                    textElement(0x0040a30a, 'DS', '12'),
                    sequenceElement(0x004008ea, [
                      [
                        textElement(0x00080100, 'SH', 'x'),
                        textElement(0x00080102, 'SH', 'X'),
                        textElement(0x00080104, 'LO', '<u>units</u>'),
                      ],
                    ]),
                  ],
                ]),
              ],
            ]),
          ]),
        ]),
      );
      // The title and the patient's name come from the data set too.
      const dataSet = document([]);
      dataSet.set(code('T', `</title><script>alert("t")</script>`));
      dataSet.set(textElement(0x00100010, 'PN', '<i>Evil</i>^"Quote"'));
      const header = structuredReportHtml(readStructuredReport(dataSet));
      const html = structuredReportHtml(report);
      for (const page of [html, header]) {
        expect(page).not.toMatch(/<script/i);
        expect(page).not.toMatch(/<(b|i|u|x|img)\b/i);
        expect(page).not.toContain(`onmouseover="`);
      }
      expect(html).toContain(
        `<span class="concept" title="${escapeHtml(`C" onmouseover="alert(1) (S'")`)}">Name &lt;b&gt;&quot;bold&quot;&lt;/b&gt;</span>`,
      );
      expect(escapeHtml(`C" onmouseover="alert(1) (S'")`)).toBe(
        'C&quot; onmouseover=&quot;alert(1) (S&#39;&quot;)',
      );
      expect(html).toContain(
        '<span class="value">&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;</span>',
      );
      expect(html).toContain('&lt;img src=x&gt;'); // unknown relationship: lower-cased, escaped
      expect(html).toContain(escapeHtml(attack));
      expect(html).toContain('<span class="value">12 &lt;u&gt;units&lt;/u&gt;</span>');
      expect(header).toContain(
        '<title>&lt;/title&gt;&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;</title>',
      );
      expect(header).toContain('<h1>&lt;/title&gt;');
      expect(header).toContain('&lt;i&gt;Evil&lt;/i&gt;');
      // Every attribute value is quoted and holds no raw quote: each tag's attributes parse as written.
      for (const [tag] of html.matchAll(/<[a-z][^>]*>/g)) {
        expect(tag, tag).toMatch(/^<[a-z0-9]+(?: [a-z-]+(?:="[^"<>]*")?)*>$/);
      }
    });
  });
});
