import { describe, expect, it } from 'vitest';
import type { DataElement } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import type { DicomJson } from '../json/dicom-json.js';
import { toDicomJson } from '../json/to-dicom-json.js';
import { readPart10 } from '../reader/read-part10.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  bytesElement,
  dataSetOf,
  encodeTestPart10,
  numberElement,
  sequenceElement,
  tagElement,
  textElement,
} from '../test-support/index.js';
import { dcmtk, writeTempFile } from '../test-support/node.js';
import { escapeXmlAttribute, escapeXmlText } from './escape-xml.js';
import { NATIVE_DICOM_MODEL_NAMESPACE, toNativeDicomModel } from './to-native-dicom-model.js';

/** The Native DICOM Model (PS3.19 A.1) written from DICOM JSON, checked by hand and against DCMTK. */

/** The attributes of a document: what is between the root's tags, one line per top-level attribute. */
function body(xml: string): string {
  const start = xml.indexOf('>', xml.indexOf('<NativeDicomModel')) + 1;
  return xml.slice(start, xml.lastIndexOf('</NativeDicomModel>')).trim();
}

const text = (tag: number, vr: DataElement['vr'], value: string | string[], charset: string[] = []) =>
  textElement(tag, vr, value, charset);

describe('toNativeDicomModel', () => {
  it('writes the root with its namespace and xml:space="preserve", UTF-8', () => {
    const xml = toNativeDicomModel({});
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<NativeDicomModel xmlns="${NATIVE_DICOM_MODEL_NAMESPACE}" xml:space="preserve">\n` +
        '</NativeDicomModel>\n',
    );
  });

  it('writes values one per Value element, numbered from 1, empty ones empty (A.1.5)', () => {
    const json: DicomJson = {
      '00080008': { vr: 'CS', Value: ['MPG', null, 'XR3'] },
      '00200013': { vr: 'IS', Value: [7] },
      '00281050': { vr: 'DS', Value: [40, -1.5, 1e-7, 0.1 + 0.2] },
      '00280009': { vr: 'AT', Value: ['00181063'] },
      '00280010': { vr: 'US', Value: [512] },
      '00101010': { vr: 'AS' },
      '00189087': { vr: 'FD', Value: [Number.NaN] },
    };
    expect(body(toNativeDicomModel(json)).split('\n')).toEqual([
      '<DicomAttribute tag="00080008" vr="CS" keyword="ImageType"><Value number="1">MPG</Value><Value number="2"/><Value number="3">XR3</Value></DicomAttribute>',
      '<DicomAttribute tag="00101010" vr="AS" keyword="PatientAge"/>',
      '<DicomAttribute tag="00189087" vr="FD" keyword="DiffusionBValue"><Value number="1"/></DicomAttribute>',
      '<DicomAttribute tag="00200013" vr="IS" keyword="InstanceNumber"><Value number="1">7</Value></DicomAttribute>',
      '<DicomAttribute tag="00280009" vr="AT" keyword="FrameIncrementPointer"><Value number="1">00181063</Value></DicomAttribute>',
      '<DicomAttribute tag="00280010" vr="US" keyword="Rows"><Value number="1">512</Value></DicomAttribute>',
      '<DicomAttribute tag="00281050" vr="DS" keyword="WindowCenter"><Value number="1">40</Value><Value number="2">-1.5</Value><Value number="3">1e-7</Value><Value number="4">0.3</Value></DicomAttribute>',
    ]);
  });

  it('parses person names into component groups and components (A.1.5, Table 10.2-1)', () => {
    const charset = ['', 'ISO 2022 IR 87'];
    const json = toDicomJson(
      dataSetOf([
        text(Tag.SpecificCharacterSet, 'CS', '\\ISO 2022 IR 87'),
        text(Tag.PatientName, 'PN', 'Yamada^Tarou=山田^太郎=やまだ^たろう', charset),
        text(Tag.ReferringPhysicianName, 'PN', '=山田^太郎', charset),
        text(Tag.PerformingPhysicianName, 'PN', ['Doe^^^Dr.', '', 'A^B^C^D^E'], charset),
      ]),
    );
    const lines = body(toNativeDicomModel(json)).split('\n');
    expect(lines).toContain(
      '<DicomAttribute tag="00100010" vr="PN" keyword="PatientName"><PersonName number="1">' +
        '<Alphabetic><FamilyName>Yamada</FamilyName><GivenName>Tarou</GivenName></Alphabetic>' +
        '<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>' +
        '<Phonetic><FamilyName>やまだ</FamilyName><GivenName>たろう</GivenName></Phonetic>' +
        '</PersonName></DicomAttribute>',
    );
    expect(lines).toContain(
      '<DicomAttribute tag="00080090" vr="PN" keyword="ReferringPhysicianName"><PersonName number="1">' +
        '<Ideographic><FamilyName>山田</FamilyName><GivenName>太郎</GivenName></Ideographic>' +
        '</PersonName></DicomAttribute>',
    );
    expect(lines).toContain(
      '<DicomAttribute tag="00081050" vr="PN" keyword="PerformingPhysicianName">' +
        '<PersonName number="1"><Alphabetic><FamilyName>Doe</FamilyName><NamePrefix>Dr.</NamePrefix></Alphabetic></PersonName>' +
        '<PersonName number="2"/>' +
        '<PersonName number="3"><Alphabetic><FamilyName>A</FamilyName><GivenName>B</GivenName><MiddleName>C</MiddleName>' +
        '<NamePrefix>D</NamePrefix><NameSuffix>E</NameSuffix></Alphabetic></PersonName>' +
        '</DicomAttribute>',
    );
  });

  it('writes sequences as numbered items, nested, and empty sequences and items empty', () => {
    const json = toDicomJson(
      dataSetOf([
        sequenceElement(Tag.ReferencedImageSequence, [
          [text(Tag.ReferencedSOPInstanceUID, 'UI', '1.2.3')],
          [],
          [
            sequenceElement(Tag.PurposeOfReferenceCodeSequence, [
              [text(Tag.CodeValue, 'SH', '121311'), text(Tag.CodeMeaning, 'LO', 'Localizer')],
            ]),
          ],
        ]),
        sequenceElement(Tag.ReferencedStudySequence, []),
      ]),
    );
    expect(body(toNativeDicomModel(json))).toBe(
      [
        '<DicomAttribute tag="00081110" vr="SQ" keyword="ReferencedStudySequence"/>',
        '<DicomAttribute tag="00081140" vr="SQ" keyword="ReferencedImageSequence"><Item number="1">',
        '<DicomAttribute tag="00081155" vr="UI" keyword="ReferencedSOPInstanceUID"><Value number="1">1.2.3</Value></DicomAttribute>',
        '</Item><Item number="2"/><Item number="3">',
        '<DicomAttribute tag="0040A170" vr="SQ" keyword="PurposeOfReferenceCodeSequence"><Item number="1">',
        '<DicomAttribute tag="00080100" vr="SH" keyword="CodeValue"><Value number="1">121311</Value></DicomAttribute>',
        '<DicomAttribute tag="00080104" vr="LO" keyword="CodeMeaning"><Value number="1">Localizer</Value></DicomAttribute>',
        '</Item></DicomAttribute>',
        '</Item></DicomAttribute>',
      ].join('\n'),
    );
  });

  it('writes private data elements as gggg00ee with their creator, and no keyword (A.1.5)', () => {
    const json = toDicomJson(
      dataSetOf([
        text(0x00090010, 'LO', 'ACME 1.0'),
        text(0x00091001, 'LO', 'first'),
        text(0x00091102, 'LO', 'no creator for block 11'),
        sequenceElement(0x00091010, [
          // A creator holds for its own data set only: this item reserves block 20.
          [text(0x00090020, 'LO', 'INNER & CO'), text(0x00092003, 'SH', 'inside')],
        ]),
      ]),
    );
    expect(body(toNativeDicomModel(json))).toBe(
      [
        '<DicomAttribute tag="00090010" vr="LO"><Value number="1">ACME 1.0</Value></DicomAttribute>',
        '<DicomAttribute tag="00090001" vr="LO" privateCreator="ACME 1.0"><Value number="1">first</Value></DicomAttribute>',
        '<DicomAttribute tag="00090010" vr="SQ" privateCreator="ACME 1.0"><Item number="1">',
        '<DicomAttribute tag="00090020" vr="LO"><Value number="1">INNER &amp; CO</Value></DicomAttribute>',
        '<DicomAttribute tag="00090003" vr="SH" privateCreator="INNER &amp; CO"><Value number="1">inside</Value></DicomAttribute>',
        '</Item></DicomAttribute>',
        '<DicomAttribute tag="00091102" vr="LO"><Value number="1">no creator for block 11</Value></DicomAttribute>',
      ].join('\n'),
    );
  });

  it('writes BulkData with its URI (mapped when asked) and InlineBinary as base64', () => {
    const json = toDicomJson(
      dataSetOf([
        numberElement(Tag.Rows, 'US', [2]),
        bytesElement(Tag.RedPaletteColorLookupTableData, 'OW', Uint8Array.of(1, 2, 3, 4)),
        bytesElement(Tag.PixelData, 'OW', new Uint8Array(8)),
      ]),
      { bulkDataUri: (path) => (path[0] === Tag.PixelData ? 'studies/1/bulkdata/7FE00010' : undefined) },
    );
    const lines = body(
      toNativeDicomModel(json, { bulkDataUri: (uri) => `http://h/dicomweb/${uri}?a=1&b=2` }),
    );
    expect(lines.split('\n').slice(1)).toEqual([
      '<DicomAttribute tag="00281201" vr="OW" keyword="RedPaletteColorLookupTableData"><InlineBinary>AQIDBA==</InlineBinary></DicomAttribute>',
      '<DicomAttribute tag="7FE00010" vr="OW" keyword="PixelData"><BulkData uri="http://h/dicomweb/studies/1/bulkdata/7FE00010?a=1&amp;b=2"/></DicomAttribute>',
    ]);
  });

  it('leaves group lengths out, sorts by tag and takes lower-case keys', () => {
    const json: DicomJson = {
      '7fe00010': { vr: 'OB', InlineBinary: 'AA==' },
      '00100000': { vr: 'UL', Value: [8] },
      '00100020': { vr: 'LO', Value: ['PID'] },
    };
    expect(body(toNativeDicomModel(json)).split('\n')).toEqual([
      '<DicomAttribute tag="00100020" vr="LO" keyword="PatientID"><Value number="1">PID</Value></DicomAttribute>',
      '<DicomAttribute tag="7FE00010" vr="OB" keyword="PixelData"><InlineBinary>AA==</InlineBinary></DicomAttribute>',
    ]);
    expect(() => toNativeDicomModel({ PatientID: { vr: 'LO' } })).toThrow(TypeError);
  });

  it('escapes markup, keeps CR and replaces characters XML 1.0 does not allow', () => {
    const json: DicomJson = {
      '00104000': { vr: 'LT', Value: ['a < b && c > "d" \'e\'\r\nnext\fpage \u0001 \uD800 😀'] },
      '00090010': { vr: 'LO', Value: ['Q"uote\'s <creator>'] },
      '00091001': { vr: 'LO', Value: ['x'] },
    };
    const xml = body(toNativeDicomModel(json));
    expect(xml).toContain(
      '<DicomAttribute tag="00104000" vr="LT" keyword="PatientComments"><Value number="1">' +
        'a &lt; b &amp;&amp; c &gt; "d" \'e\'&#13;\nnext\uFFFDpage \uFFFD \uFFFD 😀</Value></DicomAttribute>',
    );
    expect(xml).toContain(
      '<DicomAttribute tag="00090001" vr="LO" privateCreator="Q&quot;uote&apos;s &lt;creator&gt;"><Value number="1">x</Value></DicomAttribute>',
    );
  });
});

describe('escapeXml', () => {
  it('escapes text and attributes for XML 1.0', () => {
    expect(escapeXmlText('<a href="x">&amp;</a>')).toBe('&lt;a href="x"&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeXmlAttribute('a\tb\nc\rd"e\'f')).toBe('a&#9;b&#10;c&#13;d&quot;e&apos;f');
    expect(escapeXmlText('\u0000\u0008\u000B\uFFFE\uFFFF\uDC00x')).toBe('\uFFFD'.repeat(6) + 'x');
    expect(escapeXmlText('\t\n\u{10FFFF}\uD7FF\uE000')).toBe('\t\n\u{10FFFF}\uD7FF\uE000');
  });
});

describe('toNativeDicomModel against DCMTK dcm2xml --native-format', () => {
  it('writes the structure dcm2xml writes for the same object', async () => {
    const charset = ['ISO_IR 192'];
    const elements: DataElement[] = [
      text(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 192'),
      text(Tag.ImageType, 'CS', ['ORIGINAL', 'PRIMARY', 'AXIAL']),
      text(Tag.SOPClassUID, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
      text(Tag.SOPInstanceUID, 'UI', '1.2.3.4'),
      text(Tag.AccessionNumber, 'SH', ''),
      text(Tag.Modality, 'CS', 'OT'),
      sequenceElement(Tag.ReferencedImageSequence, [
        [text(Tag.ReferencedSOPClassUID, 'UI', '1.2.840.10008.5.1.4.1.1.7')],
        [text(Tag.ReferencedSOPInstanceUID, 'UI', '1.2.3.5')],
      ]),
      text(0x00090010, 'LO', 'LIGHTBOX TEST'),
      text(0x00091001, 'LO', 'private <value> & more'),
      numberElement(0x00091002, 'US', [1, 2]),
      text(Tag.PatientName, 'PN', 'Yamada^Tarou=山田^太郎=やまだ^たろう', charset),
      text(Tag.PatientID, 'LO', 'PID-1'),
      text(Tag.PatientComments, 'LT', 'Müller & Söhne <GmbH>', charset),
      text(Tag.StudyInstanceUID, 'UI', '1.2.3'),
      text(Tag.InstanceNumber, 'IS', '7'),
      tagElement(Tag.FrameIncrementPointer, [Tag.FrameTime]),
      numberElement(Tag.Rows, 'US', [2]),
      numberElement(Tag.Columns, 'US', [2]),
      text(Tag.WindowCenter, 'DS', ['40', '-1.5']),
      // OB: DCMTK writes the InlineBinary of OW values big endian, where DICOMweb (and DICOM JSON, whose
      // InlineBinary this is) is little endian (PS3.18 F.2.7).
      bytesElement(Tag.PixelData, 'OB', Uint8Array.of(1, 2, 3, 4)),
    ];
    const file = encodeTestPart10(
      elements,
      TransferSyntaxUid.ExplicitVRLittleEndian,
      '1.2.840.10008.5.1.4.1.1.7',
    );
    const path = writeTempFile(file, 'native-model.dcm');
    // +Eb: binary values inline as base64 (DCMTK's default is a UUID reference); +Xn: the namespace.
    const dcmtkXml = Buffer.from(dcmtk('dcm2xml', ['-nat', '+Xn', '+Eb', '-q', path]), 'latin1').toString(
      'utf8',
    );
    const { dataSet } = await readPart10(file, { readPixelData: true });
    const ours = toNativeDicomModel(toDicomJson(dataSet));
    // The same infoset: whitespace between elements and `<x></x>` against `<x/>` aside.
    const normalize = (xml: string) =>
      body(xml)
        .replace(/>\s+</g, '><')
        .replace(/<(\w+)([^<>]*)><\/\1>/g, '<$1$2/>');
    expect(normalize(ours)).toBe(normalize(dcmtkXml));
    expect(ours).toContain(`<NativeDicomModel xmlns="${NATIVE_DICOM_MODEL_NAMESPACE}" xml:space="preserve">`);
    expect(dcmtkXml).toContain(`xmlns="${NATIVE_DICOM_MODEL_NAMESPACE}"`);
  });
});
