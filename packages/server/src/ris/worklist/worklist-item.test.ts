import type { DicomJson } from '@lightbox/dicom';
import { describe, expect, it } from 'vitest';
import { projectIdentifier } from '../../archive/query/project-identifier.js';
import { matchesIdentifier } from './match-identifier.js';
import { worklistItem, worklistNeeds, type WorklistColumn, type WorklistRow } from './worklist-item.js';
import { worklistMatchingKeys } from './worklist-matching-keys.js';

const patient: DicomJson = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SMITH^ANNA' }] },
  '00100020': { vr: 'LO', Value: ['P1'] },
  '00100021': { vr: 'LO', Value: ['HOSP'] },
  '00100030': { vr: 'DA', Value: ['19300101'] },
  '00100040': { vr: 'CS', Value: ['F'] },
  // A key the order also has: the order's value wins.
  '00080050': { vr: 'SH', Value: ['FROM-PATIENT'] },
};

const row: WorklistRow = {
  patient_attributes: JSON.stringify(patient),
  accession_number: 'A1',
  placer_order_number: 'PL1',
  filler_order_number: null,
  priority: 'ROUTINE',
  reason: 'pain',
  procedure_code: 'CTHEAD',
  procedure_scheme: null,
  procedure_description: 'CT head',
  ordering_provider: 'WHO^DOCTOR',
  referring_physician: null,
  patient_location: 'WARD 3',
  admission_id: null,
  study_instance_uid: '1.2.3.4',
  requested_procedure_id: 'RP1',
  step_id: 'SPS1',
  step_status: 'SCHEDULED',
  station_ae: '',
  station_name: null,
  location: 'ROOM 1',
  modality: 'CT',
  start_date: '20261124',
  start_time: '0705',
  performing_physician: 'TECH^ONE',
  description: 'CT head plain',
  protocol_code: 'P1',
  protocol_scheme: '99LOCAL',
  protocol_meaning: null,
};

const step = (keys: DicomJson): DicomJson => ({ '00400100': { vr: 'SQ', Value: [keys] } });

const IDENTIFIERS: DicomJson[] = [
  {},
  { '00100020': { vr: 'LO', Value: ['P1'] }, '00100010': { vr: 'PN' } },
  { '00080050': { vr: 'SH' }, '00101030': { vr: 'DS' }, '00081110': { vr: 'SQ' } },
  step({}),
  { '00400100': { vr: 'SQ' } },
  {
    ...step({
      '00400001': { vr: 'AE', Value: ['CT1'] },
      '00080060': { vr: 'CS', Value: ['CT'] },
      '00400002': { vr: 'DA', Value: ['20261124'] },
      '00400003': { vr: 'TM' },
      '00400008': { vr: 'SQ' },
      '00400009': { vr: 'SH' },
    }),
    '00100010': { vr: 'PN' },
    '0020000D': { vr: 'UI' },
    '00321064': { vr: 'SQ', Value: [{ '00080100': { vr: 'SH' } }] },
    '00401001': { vr: 'SH' },
    '00402017': { vr: 'LO' },
  },
  { ...step({ '00400001': { vr: 'AE', Value: ['MR1'] } }), '00380300': { vr: 'LO', Value: ['WARD*'] } },
  { ...step({ '00400020': { vr: 'CS' }, '00400006': { vr: 'PN', Value: ['TECH*'] } }) },
  { '00100030': { vr: 'DA', Value: ['19300101-19400101'] }, '00401003': { vr: 'SH', Value: ['STAT'] } },
];

/** The row as the query returns it: only the columns worklistNeeds names. */
function selected(columns: readonly WorklistColumn[]): WorklistRow {
  const out: Partial<Record<WorklistColumn, unknown>> = {};
  for (const column of columns) out[column] = row[column];
  return out as WorklistRow;
}

describe('worklistItem for an identifier', () => {
  it('matches and projects as the whole item does, from only the columns worklistNeeds names', () => {
    for (const identifier of IDENTIFIERS) {
      const matching = worklistMatchingKeys(identifier);
      const stepKeys = ((matching['00400100']?.Value ?? []) as DicomJson[])[0];
      const station = stepKeys?.['00400001']?.Value?.[0] as string | undefined;
      // The whole item, as built before: a step without a station answers as the station asked.
      const whole = worklistItem({ ...row, station_ae: row.station_ae || (station ?? '') }, patient);
      const needs = worklistNeeds(identifier);
      const lean = worklistItem(selected(needs.columns), needs.patient ? patient : {}, identifier, station);
      expect(matchesIdentifier(lean, matching), JSON.stringify(identifier)).toBe(
        matchesIdentifier(whole, matching),
      );
      expect(projectIdentifier(lean, identifier), JSON.stringify(identifier)).toEqual(
        projectIdentifier(whole, identifier),
      );
    }
  });

  it('selects only the columns the keys are made of', () => {
    expect(worklistNeeds({ '00080050': { vr: 'SH' } })).toEqual({
      columns: ['accession_number'],
      patient: false,
    });
    expect(worklistNeeds({ '00100010': { vr: 'PN' } })).toEqual({
      columns: ['patient_attributes'],
      patient: true,
    });
    expect(
      worklistNeeds(step({ '00400001': { vr: 'AE' }, '00400008': { vr: 'SQ' } })).columns.sort(),
    ).toEqual(['protocol_code', 'protocol_meaning', 'protocol_scheme', 'station_ae']);
    expect(worklistNeeds(step({})).columns).toHaveLength(13);
  });
});
