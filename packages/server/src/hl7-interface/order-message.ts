import { isValidUid } from '@lightbox/dicom';
import { Hl7ParseError, type Hl7Message, type Hl7Segment } from '@lightbox/hl7';
import { ExamStatus } from '../ris/exam-status.js';
import type { OrderReference, OrderRequest, StepRequest } from '../ris/order-request.js';
import type { OrderCommand } from '../ris/ris.js';
import { codedEntry, dateTime, priorityOf, provider, requiredSegment, requiredText } from './hl7-values.js';
import { patientOf } from './patient-identity.js';

/** One ORC with the segments that belong to it (HL7 v2.5.1 §4.4 ORM^O01; §4.4.6 OMI^O23). */
interface OrderGroup {
  orc: Hl7Segment;
  obr?: Hl7Segment;
  tq1?: Hl7Segment;
  ipcs: Hl7Segment[];
  zds?: Hl7Segment;
}

function groupsOf(message: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  for (const segment of message.segments) {
    if (segment.id === 'ORC') {
      groups.push({ orc: segment, ipcs: [] });
      continue;
    }
    const group = groups.at(-1);
    if (group === undefined) continue;
    if (segment.id === 'OBR' && group.obr === undefined) group.obr = segment;
    else if (segment.id === 'TQ1' && group.tq1 === undefined) group.tq1 = segment;
    else if (segment.id === 'IPC') group.ipcs.push(segment);
    else if (segment.id === 'ZDS' && group.zds === undefined) group.zds = segment;
  }
  if (groups.length === 0)
    throw new Hl7ParseError('100', 'the message has no ORC segment', { segment: 'ORC' });
  return groups;
}

/** The first non-empty value among candidates. */
function firstOf(...values: (string | undefined)[]): string | undefined {
  for (const value of values) if (value !== undefined && value.trim() !== '') return value.trim();
  return undefined;
}

function referenceOf(group: OrderGroup): OrderReference {
  const { orc, obr } = group;
  const placer = firstOf(orc.field(2).value(1), obr?.field(2).value(1));
  const placerIssuer = firstOf(orc.field(2).value(2), obr?.field(2).value(2));
  const filler = firstOf(orc.field(3).value(1), obr?.field(3).value(1));
  const accession = firstOf(group.ipcs[0]?.field(1).value(1), obr?.field(18).value(1));
  return {
    ...(placer !== undefined ? { placerOrderNumber: placer, placerIssuer: placerIssuer ?? '' } : {}),
    ...(filler !== undefined ? { fillerOrderNumber: filler } : {}),
    ...(accession !== undefined ? { accessionNumber: accession } : {}),
  };
}

function stepOf(ipc: Hl7Segment): StepRequest {
  const text = (field: number) => firstOf(ipc.field(field).value(1));
  const protocol = codedEntry(ipc.field(6));
  const stepId = text(4);
  const modality = text(5);
  const stationName = text(7);
  const location = text(8);
  const stationAe = text(9);
  return {
    ...(stepId !== undefined ? { stepId } : {}),
    ...(modality !== undefined ? { modality } : {}),
    ...(stationName !== undefined ? { stationName } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(stationAe !== undefined ? { stationAe } : {}),
    ...(protocol !== undefined ? { protocol } : {}),
  };
}

/**
 * The order an ORC/OBR group requests. Fields follow IHE SWF (RAD-2/RAD-4): on v2.3.1, OBR-18 accession
 * number, OBR-19 requested procedure ID, OBR-20 step ID, OBR-24 modality and ZDS-1 Study Instance UID; on
 * v2.5.1 the IPC segments carry them and TQ1 the time and priority.
 */
function requestOf(message: Hl7Message, group: OrderGroup): OrderRequest {
  const { orc, obr, tq1, ipcs, zds } = group;
  const pid = requiredSegment(message, 'PID');
  if (obr === undefined) throw new Hl7ParseError('100', 'the order has no OBR segment', { segment: 'OBR' });
  const pv1 = message.segment('PV1');
  const reference = referenceOf(group);
  if (reference.placerOrderNumber === undefined && reference.fillerOrderNumber === undefined) {
    requiredText(orc, 2);
  }
  const ipc = ipcs[0];
  const studyUid = firstOf(ipc?.field(3).value(1), zds?.field(1).value(1));
  if (studyUid !== undefined && !isValidUid(studyUid)) {
    throw new Hl7ParseError('102', `${ipc ? 'IPC-3' : 'ZDS-1'} is not a valid Study Instance UID`, {
      segment: ipc ? 'IPC' : 'ZDS',
      field: ipc ? 3 : 1,
    });
  }
  const start = firstOf(
    tq1?.field(7).value(1),
    orc.field(7).value(4),
    obr.field(27).value(4),
    obr.field(36).value(1),
  );
  const when = start === undefined ? {} : dateTime(start);
  const priority = firstOf(
    tq1?.field(9).value(1),
    orc.field(7).value(6),
    obr.field(27).value(6),
    obr.field(5).value(1),
  );
  const procedure = codedEntry(obr.field(4)) ?? codedEntry(obr.field(44));
  const reason = firstOf(obr.field(31).value(2), obr.field(31).value(1), obr.field(13).value(1));
  const ordering = provider(orc.field(12).isEmpty ? obr.field(16) : orc.field(12));
  const referring = pv1 === undefined ? {} : provider(pv1.field(8));
  const location =
    pv1 === undefined
      ? undefined
      : firstOf(
          [1, 2, 3]
            .map((c) => pv1.field(3).value(c).trim())
            .filter(Boolean)
            .join(' '),
        );
  const admission = firstOf(pv1?.field(19).value(1));
  const modality = firstOf(ipc?.field(5).value(1), obr.field(24).value(1));
  const requestedProcedureId = firstOf(ipc?.field(2).value(1), obr.field(19).value(1));
  const stepId = firstOf(obr.field(20).value(1));
  // A v2.3.1 step ID with a time is a step the sender scheduled; IPC segments always are.
  const steps: StepRequest[] | undefined =
    ipcs.length > 0
      ? ipcs.map(stepOf)
      : stepId !== undefined && when.date !== undefined
        ? [{ stepId, ...(modality !== undefined ? { modality } : {}) }]
        : undefined;
  return {
    patient: patientOf(pid),
    ...reference,
    ...(priority !== undefined ? { priority: priorityOf(priority) } : {}),
    ...(requestedProcedureId !== undefined ? { requestedProcedureId } : {}),
    ...(studyUid !== undefined ? { studyInstanceUid: studyUid } : {}),
    ...(procedure !== undefined ? { procedure } : {}),
    ...(modality !== undefined ? { modality } : {}),
    ...(when.date !== undefined ? { requestedDate: when.date } : {}),
    ...(when.time !== undefined ? { requestedTime: when.time } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(ordering.name !== undefined ? { orderingProvider: ordering.name } : {}),
    ...(referring.name !== undefined ? { referringPhysician: referring.name } : {}),
    // A PV1-8 that is given names the referring provider as it is now: without an ID, none (so a
    // corrected order takes the previous physician's access away); an empty PV1-8 changes nothing.
    ...(pv1 !== undefined && !pv1.field(8).isEmpty
      ? {
          referringProviderId: referring.id ?? '',
          ...(referring.issuer !== undefined ? { referringProviderIssuer: referring.issuer } : {}),
        }
      : {}),
    ...(location !== undefined ? { patientLocation: location } : {}),
    ...(admission !== undefined ? { admissionId: admission } : {}),
    ...(steps !== undefined ? { steps } : {}),
  };
}

/** ORC-1 order control codes (table 0119) Lightbox acts on. */
const STATUS_OF_CONTROL: Readonly<Record<string, string>> = {
  CA: ExamStatus.Cancelled,
  DC: ExamStatus.Discontinued,
};

/**
 * The commands of an ORM^O01 or OMI^O23 message, one per ORC group: NW places, XO changes, CA cancels and
 * DC discontinues. Every group is read before any is applied, so a bad field refuses the whole message.
 */
export function orderCommandsOf(message: Hl7Message): OrderCommand[] {
  return groupsOf(message).map((group): OrderCommand => {
    const control = requiredText(group.orc, 1).toUpperCase();
    if (control === 'NW') return { kind: 'place', request: requestOf(message, group) };
    if (control === 'XO')
      return { kind: 'change', reference: referenceOf(group), request: requestOf(message, group) };
    const status = STATUS_OF_CONTROL[control];
    if (status !== undefined) {
      const reason = firstOf(group.orc.field(16).value(2), group.orc.field(16).value(1));
      return {
        kind: 'status',
        reference: referenceOf(group),
        status,
        ...(reason !== undefined ? { reason } : {}),
      };
    }
    throw new Hl7ParseError('103', `order control ${control} is not supported (NW, XO, CA, DC are)`, {
      segment: 'ORC',
      field: 1,
    });
  });
}
