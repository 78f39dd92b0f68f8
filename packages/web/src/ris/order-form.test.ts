import { describe, expect, it } from 'vitest';
import { EMPTY_ORDER_FORM, orderBody, validateOrderForm, type OrderForm } from './order-form';

const today = '20240304';
const valid: OrderForm = { ...EMPTY_ORDER_FORM, patientId: 'P1', modality: 'CT' };
const errorsOf = (changes: Partial<OrderForm>) => validateOrderForm({ ...valid, ...changes }, today);

describe('order entry form', () => {
  it('needs a patient ID and a modality, nothing else', () => {
    expect(validateOrderForm(EMPTY_ORDER_FORM, today)).toEqual({
      patientId: 'Patient ID is required.',
      modality: 'Choose a modality.',
    });
    expect(validateOrderForm(valid, today)).toEqual({});
    expect(orderBody(valid)).toEqual({ patient: { patientId: 'P1' }, modality: 'CT', priority: 'ROUTINE' });
  });

  it('checks names, birth date, procedure code and description together', () => {
    expect(errorsOf({ given: 'Anna' }).family).toBeDefined();
    expect(errorsOf({ birthDate: '2024-03-05' }).birthDate).toBe('Birth date is in the future.');
    expect(errorsOf({ birthDate: '1700-01-01' }).birthDate).toBeDefined();
    expect(errorsOf({ birthDate: '2024-03-04' }).birthDate).toBeUndefined();
    expect(errorsOf({ procedureCode: 'CTHEAD' }).procedureMeaning).toBeDefined();
    expect(errorsOf({ procedureMeaning: 'CT head' }).procedureCode).toBeDefined();
    expect(errorsOf({ patientId: 'x'.repeat(65) }).patientId).toBeDefined();
  });

  it('books only with both date and time, not in the past, and a station only with them', () => {
    expect(errorsOf({ date: '2024-03-04' }).time).toBeDefined();
    expect(errorsOf({ time: '10:00' }).date).toBeDefined();
    expect(errorsOf({ date: '2024-03-03', time: '10:00' }).date).toBe('Date is in the past.');
    expect(errorsOf({ stationAe: 'CT1' }).stationAe).toBeDefined();
    expect(errorsOf({ date: '2024-03-04', time: '10:00', stationAe: 'CT\\1' }).stationAe).toBeDefined();
    expect(errorsOf({ date: '2024-03-04', time: '10:00', stationAe: 'CT_ROOM_1' })).toEqual({});
  });

  it('sends what was filled in, as DICOM values', () => {
    const body = orderBody({
      ...valid,
      issuer: ' HOSP ',
      family: 'Smith',
      given: 'Anna',
      birthDate: '1970-01-31',
      sex: 'F',
      procedureCode: 'CTHEAD',
      procedureMeaning: 'CT head',
      priority: 'STAT',
      reason: 'Fall',
      referringPhysician: 'Welby, Marcus',
      referringProviderId: ' NPI-1234567890 ',
      date: '2024-03-04',
      time: '09:15',
      stationAe: 'CT1',
    });
    expect(body).toEqual({
      patient: { patientId: 'P1', issuer: 'HOSP', name: 'Smith^Anna', birthDate: '19700131', sex: 'F' },
      modality: 'CT',
      procedure: { code: 'CTHEAD', meaning: 'CT head' },
      priority: 'STAT',
      reason: 'Fall',
      referringPhysician: 'Welby^Marcus',
      referringProviderId: 'NPI-1234567890',
      requestedDate: '20240304',
      requestedTime: '0915',
      stationAe: 'CT1',
    });
  });
});
