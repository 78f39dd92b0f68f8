import { dateFromInput, personNameFromText, timeFromInput, toPersonName } from './ris-format';
import type { PlaceOrderBody, Priority } from './ris-types';

/** The order-entry form, as typed (dates and times as their inputs give them). */
export interface OrderForm {
  patientId: string;
  issuer: string;
  family: string;
  given: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  sex: '' | 'M' | 'F' | 'O';
  modality: string;
  procedureCode: string;
  procedureMeaning: string;
  priority: Priority;
  reason: string;
  referringPhysician: string;
  /** The referring physician's identifier (e.g. an NPI): it gives them the study in Lightbox. */
  referringProviderId: string;
  /** YYYY-MM-DD; with a time, the exam is booked at once. */
  date: string;
  /** HH:MM. */
  time: string;
  stationAe: string;
}

export const EMPTY_ORDER_FORM: OrderForm = {
  patientId: '',
  issuer: '',
  family: '',
  given: '',
  birthDate: '',
  sex: '',
  modality: '',
  procedureCode: '',
  procedureMeaning: '',
  priority: 'ROUTINE',
  reason: '',
  referringPhysician: '',
  referringProviderId: '',
  date: '',
  time: '',
  stationAe: '',
};

/** Modalities offered by the form (PS3.3 C.7.3.1.1.1), the common ones first. */
export const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT'];

/** Priorities, most urgent first. */
export const PRIORITIES: readonly Priority[] = ['STAT', 'HIGH', 'ROUTINE', 'MEDIUM', 'LOW'];

/** What is wrong with a form, by field; empty when it can be sent. */
export type OrderFormErrors = Partial<Record<keyof OrderForm, string>>;

/** An AE title: up to 16 characters, no backslash or control characters, not only spaces (PS3.5 6.2). */
const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

/** Checks the form as the server would, with messages a scheduler understands; `today` is DICOM DA. */
export function validateOrderForm(form: OrderForm, today: string): OrderFormErrors {
  const errors: OrderFormErrors = {};
  const patientId = form.patientId.trim();
  if (patientId === '') errors.patientId = 'Patient ID is required.';
  else if (patientId.length > 64) errors.patientId = 'Patient ID is at most 64 characters.';
  if (form.issuer.trim().length > 64) errors.issuer = 'Issuer is at most 64 characters.';
  if (form.given.trim() !== '' && form.family.trim() === '')
    errors.family = 'Family name is required with a given name.';
  if (toPersonName(form.family, form.given).length > 200) errors.family = 'Name is too long.';
  if (form.birthDate !== '') {
    const birth = dateFromInput(form.birthDate);
    if (birth === '') errors.birthDate = 'Birth date is not a date.';
    else if (birth > today) errors.birthDate = 'Birth date is in the future.';
    else if (birth < '18500101') errors.birthDate = 'Birth date is too far in the past.';
  }
  if (!/^[A-Z]{2,16}$/.test(form.modality)) errors.modality = 'Choose a modality.';
  const code = form.procedureCode.trim();
  const meaning = form.procedureMeaning.trim();
  if (code !== '' && meaning === '') errors.procedureMeaning = 'Describe the procedure of this code.';
  if (meaning !== '' && code === '') errors.procedureCode = 'Give the procedure code.';
  if (code.length > 64) errors.procedureCode = 'Procedure code is at most 64 characters.';
  if (meaning.length > 200) errors.procedureMeaning = 'Description is at most 200 characters.';
  if (form.reason.trim().length > 200) errors.reason = 'Reason is at most 200 characters.';
  if (form.referringPhysician.trim().length > 200) errors.referringPhysician = 'Name is too long.';
  if (form.referringProviderId.trim().length > 64)
    errors.referringProviderId = 'Provider ID is at most 64 characters.';
  const date = form.date === '' ? '' : dateFromInput(form.date);
  const time = form.time === '' ? '' : timeFromInput(form.time);
  if (form.date !== '' && date === '') errors.date = 'Date is not a date.';
  else if (date !== '' && date < today) errors.date = 'Date is in the past.';
  if (form.time !== '' && time === '') errors.time = 'Time is not a time.';
  if (date !== '' && form.time === '') errors.time = 'Give a time to book the exam, or leave the date empty.';
  if (form.time !== '' && form.date === '') errors.date = 'Give a date for this time.';
  const station = form.stationAe.trim();
  if (station !== '') {
    if (!AE_TITLE.test(station)) errors.stationAe = 'Station AE title: up to 16 characters, no backslash.';
    else if (form.date === '') errors.stationAe = 'A station is booked with a date and time.';
  }
  return errors;
}

/** The body of `POST /api/orders` from a valid form: blank fields are left out. */
export function orderBody(form: OrderForm): PlaceOrderBody {
  const text = (value: string) => value.trim();
  const name = toPersonName(form.family, form.given);
  const code = text(form.procedureCode);
  const meaning = text(form.procedureMeaning);
  const date = dateFromInput(form.date);
  const time = timeFromInput(form.time);
  const referring = personNameFromText(form.referringPhysician);
  return {
    patient: {
      patientId: text(form.patientId),
      ...(text(form.issuer) ? { issuer: text(form.issuer) } : {}),
      ...(name ? { name } : {}),
      ...(form.birthDate ? { birthDate: dateFromInput(form.birthDate) } : {}),
      ...(form.sex ? { sex: form.sex } : {}),
    },
    modality: form.modality,
    ...(code && meaning ? { procedure: { code, meaning } } : {}),
    priority: form.priority,
    ...(text(form.reason) ? { reason: text(form.reason) } : {}),
    ...(referring ? { referringPhysician: referring } : {}),
    ...(text(form.referringProviderId) ? { referringProviderId: text(form.referringProviderId) } : {}),
    ...(date && time ? { requestedDate: date, requestedTime: time } : {}),
    ...(date && time && text(form.stationAe) ? { stationAe: text(form.stationAe) } : {}),
  };
}
