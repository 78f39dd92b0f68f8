import { encodeSegment, formatHl7Timestamp, type Hl7FieldValue } from '@lightbox/hl7';
import type { Hl7Destination } from '../config/config.js';
import { ExamStatus } from '../ris/exam-status.js';
import type { ExamStatusChange } from '../ris/ris.js';

/** The patient an order status message names. */
export interface MessagePatient {
  patientId: string;
  issuer: string;
  name: string | null;
  birthDate: string | null;
  sex: string | null;
}

/** ORC-1 (table 0119) and ORC-5 (table 0038) for an exam status: status changed, or cancelled/discontinued by the filler. */
const ORDER_STATUS: Readonly<Record<string, { control: string; status: string }>> = {
  [ExamStatus.Scheduled]: { control: 'SC', status: 'SC' },
  [ExamStatus.Arrived]: { control: 'SC', status: 'IP' },
  [ExamStatus.InProgress]: { control: 'SC', status: 'IP' },
  [ExamStatus.Completed]: { control: 'SC', status: 'CM' },
  [ExamStatus.Cancelled]: { control: 'OC', status: 'CA' },
  [ExamStatus.NoShow]: { control: 'OC', status: 'CA' },
  [ExamStatus.Discontinued]: { control: 'OD', status: 'DC' },
};

/** True for the status changes that are told to the HL7 destinations. */
export function isToldOverHl7(status: string): boolean {
  return status in ORDER_STATUS;
}

/** DICOM PN (family^given^middle^prefix^suffix) as XPN components (family^given^middle^suffix^prefix). */
function xpn(name: string | null): string[] {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (name ?? '')
    .split('=')[0]!
    .split('^');
  return [family, given, middle, suffix, prefix];
}

/**
 * An order status message (issue #6 §2) for one destination: ORM^O01 on v2.3.1, OMG^O19 on v2.5.1, with
 * ORC-1 SC (status changed), OC (cancelled) or OD (discontinued) and ORC-5 the order status; the accession
 * number is the filler order number, and on v2.3.1 also OBR-18 with the Study Instance UID in ZDS (IHE).
 */
export function orderStatusMessage(
  change: ExamStatusChange,
  patient: MessagePatient,
  destination: Hl7Destination & { name: string },
  sender: { application: string; facility?: string },
  controlId: string,
  now = new Date(),
): string {
  const { order } = change;
  const v231 = destination.version === '2.3.1';
  const told = ORDER_STATUS[change.status]!;
  const timestamp = formatHl7Timestamp(now);
  const placer: Hl7FieldValue =
    order.placer_order_number === null ? '' : [[order.placer_order_number, order.placer_issuer]];
  const filler: Hl7FieldValue = [[order.accession_number, sender.application]];
  const procedure: Hl7FieldValue =
    order.procedure_code === null
      ? ''
      : [[order.procedure_code, order.procedure_description ?? '', order.procedure_scheme ?? 'L']];
  const reason: Hl7FieldValue = change.reason === undefined ? '' : [['', change.reason]];
  const segments = [
    encodeSegment('MSH', [
      sender.application,
      sender.facility ?? '',
      destination.application ?? destination.name,
      destination.facility ?? '',
      timestamp,
      '',
      [[v231 ? 'ORM' : 'OMG', v231 ? 'O01' : 'O19', v231 ? 'ORM_O01' : 'OMG_O19']],
      controlId,
      'P',
      destination.version,
      '',
      '',
      // Original acknowledgment mode (MSH-15/16 empty): the receiver answers AA, AE or AR.
      '',
      '',
      '',
      'UNICODE UTF-8',
    ]),
    encodeSegment('PID', [
      '1',
      '',
      [[patient.patientId, '', '', patient.issuer, 'MR']],
      '',
      [xpn(patient.name)],
      '',
      patient.birthDate ?? '',
      patient.sex ?? '',
    ]),
    encodeSegment('ORC', [
      told.control,
      placer,
      filler,
      '',
      told.status,
      '',
      '',
      '',
      timestamp,
      '',
      '',
      '',
      '',
      '',
      '',
      reason,
    ]),
  ];
  if (!v231) {
    segments.push(
      encodeSegment('TQ1', [
        '1',
        '',
        '',
        '',
        '',
        '',
        order.requested_date === null
          ? ''
          : `${order.requested_date}${(order.requested_time ?? '').slice(0, 4)}`,
        '',
        order.priority === 'STAT' ? 'S' : 'R',
      ]),
    );
  }
  const obr: Hl7FieldValue[] = ['1', placer, filler, procedure];
  if (v231) {
    while (obr.length < 24) obr.push('');
    obr[17] = order.accession_number;
    obr[18] = order.requested_procedure_id;
    obr[23] = order.modality ?? '';
  } else {
    while (obr.length < 24) obr.push('');
    obr[23] = order.modality ?? '';
  }
  segments.push(encodeSegment('OBR', obr));
  if (v231) segments.push(encodeSegment('ZDS', [[[order.study_instance_uid, '', 'Application', 'DICOM']]]));
  return segments.map((s) => `${s}\r`).join('');
}
