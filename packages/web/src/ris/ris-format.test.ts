import { describe, expect, it } from 'vitest';
import {
  addDays,
  ageOn,
  ageSex,
  dateFromInput,
  dateToInput,
  dicomDate,
  formatDate,
  formatTime,
  personName,
  personNameFromText,
  timeFromInput,
  toPersonName,
} from './ris-format';

describe('RIS formatting', () => {
  it('shows DICOM times as HH:MM, whatever their precision', () => {
    expect(formatTime('103000')).toBe('10:30');
    expect(formatTime('0915')).toBe('09:15');
    expect(formatTime('235959.123')).toBe('23:59');
    expect(formatTime(null)).toBe('');
    expect(formatTime('9')).toBe('');
  });

  it('shows DICOM dates as YYYY-MM-DD and converts to and from date inputs', () => {
    expect(formatDate('20240304')).toBe('2024-03-04');
    expect(formatDate(null)).toBe('');
    expect(dateFromInput('2024-03-04')).toBe('20240304');
    expect(dateFromInput('')).toBe('');
    expect(dateToInput('20240304')).toBe('2024-03-04');
    expect(dateToInput(null)).toBe('');
    expect(timeFromInput('07:45')).toBe('0745');
    expect(timeFromInput('07:45:10')).toBe('0745');
    expect(timeFromInput('')).toBe('');
  });

  it('moves dates by calendar days across months, years and leap days', () => {
    expect(addDays('20240228', 1)).toBe('20240229');
    expect(addDays('20240229', 1)).toBe('20240301');
    expect(addDays('20241231', 1)).toBe('20250101');
    expect(addDays('20250101', -1)).toBe('20241231');
    expect(dicomDate(new Date(2024, 0, 5))).toBe('20240105');
  });

  it('writes names as "Family, Given" and builds PN from a form', () => {
    expect(personName('DOE^JANE^Q')).toBe('DOE, JANE Q');
    expect(personName('Smith^Anna')).toBe('Smith, Anna');
    expect(personName('Smith')).toBe('Smith');
    expect(personName('Yamada^Tarou=山田^太郎')).toBe('Yamada, Tarou');
    expect(personName('Welby^Marcus^^Dr^MD')).toBe('Welby, Dr Marcus MD');
    expect(personName(null)).toBe('');
    expect(toPersonName(' Smith ', ' Anna ')).toBe('Smith^Anna');
    expect(toPersonName('Smith', '')).toBe('Smith');
    expect(toPersonName('', '')).toBe('');
    expect(toPersonName('O^Brien', 'A')).toBe('O Brien^A');
    expect(personNameFromText('Welby, Marcus')).toBe('Welby^Marcus');
    expect(personNameFromText('WELBY^MARCUS')).toBe('WELBY^MARCUS');
    expect(personNameFromText('Marcus Welby')).toBe('Marcus Welby');
  });

  it('tells ages in years, months under two years and days under a month', () => {
    expect(ageOn('19800102', '20240101')).toBe('43y');
    expect(ageOn('19800102', '20240102')).toBe('44y');
    expect(ageOn('20220615', '20240101')).toBe('18m');
    expect(ageOn('20231215', '20240101')).toBe('17d');
    expect(ageOn('20240101', '20240101')).toBe('0d');
    expect(ageOn('20250101', '20240101')).toBe('');
    expect(ageOn(null, '20240101')).toBe('');
    expect(ageOn('1980', '20240101')).toBe('');
    expect(ageSex('19800102', 'F', '20240102')).toBe('44y F');
    expect(ageSex(null, 'M', '20240102')).toBe('M');
    expect(ageSex(null, null, '20240102')).toBe('');
  });
});
