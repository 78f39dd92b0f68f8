import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { recordMeasurementUnits, restoreViewerUnits } from './measurement-report-units';

type Item = Record<string, unknown>;

const code = (value: string, scheme: string, meaning: string) => ({
  CodeValue: value,
  CodingSchemeDesignator: scheme,
  CodeMeaning: meaning,
});
/** What dcmjs writes for a unit it is not given (a length) and for px, px² and an empty modality unit. */
const DCMJS_MM = { ...code('mm', 'UCUM', 'mm'), CodingSchemeVersion: '1.4' };
const DCMJS_PX = { ...code('1', 'UCUM', 'px'), CodingSchemeVersion: '1.4' };
const DCMJS_HU = { ...code("[hnsf'U]", 'UCUM', 'Hounsfield unit'), CodingSchemeVersion: '1.4' };

/** A numeric item as the adapters make it: concept, measured value, and the outline it was measured on. */
function number(concept: string, meaning: string, value: number, unit: object): Item {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: code(concept, 'SCT', meaning),
    MeasuredValueSequence: { MeasurementUnitsCodeSequence: unit, NumericValue: value },
    ContentSequence: {
      RelationshipType: 'INFERRED FROM',
      ValueType: 'SCOORD',
      GraphicType: 'POLYLINE',
      GraphicData: [100, 200, 200, 200],
    },
  };
}

const length = (value: number) => number('410668003', 'Length', value, DCMJS_MM);
const area = (value: number) => number('42798000', 'Area', value, DCMJS_PX);
const mean = (value: number, unit: object) => number('373098007', 'Mean', value, unit);

function group(...numbers: Item[]): Item {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: code('125007', 'DCM', 'Measurement Group'),
    ContentSequence: [
      {
        RelationshipType: 'HAS OBS CONTEXT',
        ValueType: 'TEXT',
        ConceptNameCodeSequence: code('112039', 'DCM', 'Tracking Identifier'),
        TextValue: 'Cornerstone3DTools@^0.1.0:Length',
      },
      ...numbers,
    ],
  };
}

function report(...groups: Item[]): Record<string, unknown> {
  return {
    ContentSequence: [
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ConceptNameCodeSequence: code('126010', 'DCM', 'Imaging Measurements'),
        ContentSequence: groups,
      },
    ],
  };
}

/** The numeric items of a report, as its groups list them. */
function numbers(document: Record<string, unknown>): Item[] {
  const [imaging] = document.ContentSequence as Item[];
  return (imaging!.ContentSequence as Item[]).flatMap((g) =>
    (g.ContentSequence as Item[]).filter((item) => item.ValueType === 'NUM'),
  );
}

/** The unit of a numeric item, whether its sequence holds one item or a list of them. */
const unitOf = (item: Item) =>
  [(item.MeasuredValueSequence as Item).MeasurementUnitsCodeSequence].flat()[0] as Item;

const notes = (item: Item) =>
  [item.ContentSequence].flat().filter((child) => (child as Item).RelationshipType === 'HAS CONCEPT MOD');

describe('recordMeasurementUnits', () => {
  it('writes pixels, never mm, for an image without a pixel size, and pixel values without a unit as "no units"', () => {
    const document = report(group(length(100)), group(area(5000), mean(200, DCMJS_PX)));
    recordMeasurementUnits(document, [
      { length: 100, unit: 'px' },
      { area: 5000, areaUnit: 'px²', mean: 200, modalityUnit: '' },
    ]);
    const [lengthItem, areaItem, meanItem] = numbers(document);
    expect(unitOf(lengthItem!)).toEqual(code('{pixels}', 'UCUM', 'pixels'));
    expect(unitOf(areaItem!)).toEqual(code('{pixels2}', 'UCUM', 'square pixels'));
    expect(unitOf(meanItem!)).toEqual(code('1', 'UCUM', 'no units'));
    expect(numbers(document).flatMap(notes)).toEqual([]);
  });

  it('writes mm and mm² with the user calibration noted, and leaves HU as it is', () => {
    const document = report(group(length(25)), group(area(312.5), mean(40, DCMJS_HU)));
    recordMeasurementUnits(document, [
      { length: 25, unit: 'mm User' },
      { area: 312.5, areaUnit: 'mm² User', mean: 40, modalityUnit: 'HU' },
    ]);
    const [lengthItem, areaItem, meanItem] = numbers(document);
    expect(unitOf(lengthItem!)).toEqual(code('mm', 'UCUM', 'millimeter'));
    expect(unitOf(areaItem!)).toEqual(code('mm2', 'UCUM', 'square millimeter'));
    expect(unitOf(meanItem!)).toEqual(DCMJS_HU);
    for (const item of [lengthItem!, areaItem!]) {
      expect(notes(item)).toEqual([
        {
          RelationshipType: 'HAS CONCEPT MOD',
          ValueType: 'CODE',
          ConceptNameCodeSequence: [code('370129005', 'SCT', 'Measurement Method')],
          ConceptCodeSequence: [code('122488', 'DCM', 'Calibration Object Used')],
        },
        expect.objectContaining({
          ValueType: 'TEXT',
          ConceptNameCodeSequence: [code('121050', 'DCM', 'Equivalent Meaning of Concept Name')],
          TextValue: expect.stringMatching(/calibrated by the user/),
        }),
      ]);
    }
    // The outline the number was measured on is still its first child.
    expect(([lengthItem!.ContentSequence].flat()[0] as Item).ValueType).toBe('SCOORD');
    expect(notes(meanItem!)).toEqual([]);
  });

  it('keeps a pixel size the image gives (mm, at the detector) without a calibration note', () => {
    const document = report(group(length(40)));
    recordMeasurementUnits(document, [{ length: 40, unit: 'mm Proj' }]);
    expect(unitOf(numbers(document)[0]!)).toEqual(code('mm', 'UCUM', 'millimeter'));
    expect(numbers(document).flatMap(notes)).toEqual([]);
  });

  it('refuses a report that does not have one measurement group for each measurement', () => {
    expect(() => recordMeasurementUnits(report(group(length(1))), [{ unit: 'px' }, { unit: 'px' }])).toThrow(
      /1 measurement groups for 2 measurements/,
    );
  });
});

describe('restoreViewerUnits', () => {
  it('reads the units back as the viewer named them when saved, through DICOM and dcmjs', () => {
    const saved = report(group(length(100)), group(area(5000)), group(length(25)), group(area(312.5)));
    recordMeasurementUnits(saved, [
      { length: 100, unit: 'px' },
      { area: 5000, areaUnit: 'px²' },
      { length: 25, unit: 'mm User' },
      { area: 312.5, areaUnit: 'mm² User' },
    ]);
    // As the viewer gets it again: denaturalized, then naturalized (single items behind accessors).
    const { naturalizeDataset, denaturalizeDataset } = dcmjs.data.DicomMetaDictionary;
    const reopened = naturalizeDataset(denaturalizeDataset(saved));
    restoreViewerUnits(reopened);
    // Read as the Length adapter reads a unit: the code value of the first (only) item.
    const units = numbers(reopened).map(
      (item) =>
        (item.MeasuredValueSequence as { MeasurementUnitsCodeSequence: { CodeValue: string } })
          .MeasurementUnitsCodeSequence.CodeValue,
    );
    expect(units).toEqual(['px', 'px²', 'mm User', 'mm² User']);
  });

  it('reads mm as mm, and the pixel areas dcmjs codes (1, UCUM, "px") as px²', () => {
    const document = report(
      group(number('410668003', 'Length', 20, code('mm', 'UCUM', 'millimeter'))),
      group(area(5000)),
    );
    restoreViewerUnits(document);
    expect(numbers(document).map((item) => unitOf(item).CodeValue)).toEqual(['mm', 'px²']);
  });
});
