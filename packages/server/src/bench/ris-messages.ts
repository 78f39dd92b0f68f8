/**
 * The modalities of the synthetic department, the AE titles of their stations (those that query the
 * worklist) and the procedures they perform.
 */
export const RIS_MODALITIES = [
  {
    modality: 'CT',
    stations: ['CT1', 'CT2'],
    procedures: [
      ['CTHEAD', 'CT head without contrast'],
      ['CTCHEST', 'CT chest with contrast'],
      ['CTABD', 'CT abdomen and pelvis'],
    ],
  },
  {
    modality: 'MR',
    stations: ['MR1', 'MR2'],
    procedures: [
      ['MRBRAIN', 'MR brain'],
      ['MRKNEE', 'MR knee'],
      ['MRSPINE', 'MR lumbar spine'],
    ],
  },
  {
    modality: 'US',
    stations: ['US1', 'US2'],
    procedures: [
      ['USABD', 'US abdomen'],
      ['USTHY', 'US thyroid'],
    ],
  },
  {
    modality: 'CR',
    stations: ['CR1'],
    procedures: [
      ['CRCHEST', 'Chest X-ray PA and lateral'],
      ['CRHAND', 'X-ray hand'],
    ],
  },
] as const;

const SURNAMES = [
  'SMITH',
  'MUELLER',
  'GARCIA',
  'NGUYEN',
  'KOWALSKI',
  'OKAFOR',
  'ROSSI',
  'DUBOIS',
  'SATO',
  'BERG',
];
const GIVEN = ['ANNA', 'JOHN', 'MARIA', 'WEI', 'FATIMA', 'LUCAS', 'SOFIA', 'OMAR', 'EMMA', 'PAUL', 'IDA'];

/** One order of the synthetic workload: what is sent, and what the worklist must answer for it. */
export interface RisOrder {
  /** MSH-10: unique per message (a resend with the same control ID would be answered from the log). */
  controlId: string;
  patientId: string;
  patientName: string;
  birthDate: string;
  sex: 'F' | 'M';
  placerOrderNumber: string;
  /** OBR-18 (SH, at most 16 characters). */
  accessionNumber: string;
  modality: string;
  procedure: readonly [string, string];
  /** DICOM DA and HL7 time (HHMM) of the scheduled start. */
  date: string;
  time: string;
}

/** Shape of a synthetic workload: how many orders, over how many days from `firstDate`. */
export interface RisWorkloadShape {
  /** Short, distinct per server (it prefixes control IDs, placer and accession numbers). */
  tag: string;
  orders: number;
  days: number;
  /** DICOM DA of the first day. */
  firstDate: string;
  /** Orders per patient on average (patients come back); 2 by default. */
  ordersPerPatient?: number;
}

/** DICOM DA of `date` in local time. */
export function dicomDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}`;
}

/** DA `days` days after the DA `date`. */
export function addDays(date: string, days: number): string {
  const d = new Date(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
  d.setDate(d.getDate() + days);
  return dicomDate(d);
}

/**
 * The orders of a workload, deterministic: modalities in turn, the days in turn for each modality, start
 * times in 5-minute slots from 07:00, and patients drawn so that each has about `ordersPerPatient` orders
 * on different days.
 */
export function risOrders(shape: RisWorkloadShape): RisOrder[] {
  const patients = Math.max(1, Math.ceil(shape.orders / (shape.ordersPerPatient ?? 2)));
  const orders: RisOrder[] = [];
  for (let i = 0; i < shape.orders; i++) {
    const department = RIS_MODALITIES[i % RIS_MODALITIES.length]!;
    const round = Math.floor(i / RIS_MODALITIES.length);
    const day = round % shape.days;
    const slot = Math.floor(round / shape.days);
    const minutes = 7 * 60 + ((slot * 5) % (12 * 60));
    // A stride coprime with the patient count spreads each patient's orders over the run.
    const p = (i * 7919) % patients;
    const p2 = (n: number) => String(n).padStart(2, '0');
    orders.push({
      controlId: `${shape.tag}-${i}`,
      patientId: `${shape.tag}P${p}`,
      patientName: `${SURNAMES[p % SURNAMES.length]}^${GIVEN[Math.floor(p / SURNAMES.length) % GIVEN.length]}`,
      birthDate: `${1930 + (p % 90)}${p2(1 + (p % 12))}${p2(1 + (p % 28))}`,
      sex: p % 2 === 0 ? 'F' : 'M',
      placerOrderNumber: `${shape.tag}PL${i}`,
      accessionNumber: `${shape.tag}A${i}`.slice(0, 16),
      modality: department.modality,
      procedure: department.procedures[slot % department.procedures.length]!,
      date: addDays(shape.firstDate, day),
      time: `${p2(Math.floor(minutes / 60))}${p2(minutes % 60)}`,
    });
  }
  const accessions = new Set(orders.map((o) => o.accessionNumber));
  if (accessions.size !== orders.length) throw new Error(`accession numbers of tag ${shape.tag} collide`);
  return orders;
}

/** A segment from its numbered fields (HL7 numbering; MSH is written whole). */
function segment(id: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? '');
  return [id, ...values].join('|');
}

/** An HL7 timestamp (YYYYMMDDHHMMSS) of a local time. */
function hl7Timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${dicomDate(date)}${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function msh(type: string, order: RisOrder, version: string): string {
  return `MSH|^~\\&|EHR|HOSP|LIGHTBOX|RAD|${hl7Timestamp(new Date())}||${type}|${order.controlId}|P|${version}`;
}

function pid(order: RisOrder): string {
  return segment('PID', {
    1: '1',
    3: `${order.patientId}^^^HOSP^MR`,
    5: order.patientName,
    7: order.birthDate,
    8: order.sex,
  });
}

const PV1 = segment('PV1', { 1: '1', 2: 'O', 3: 'RAD^101^1', 8: '1234^WELBY^MARCUS', 19: 'V-77' });

/**
 * ORM^O01 v2.3.1 new order (ORC-1 NW), as IHE SWF RAD-2/RAD-4 senders write it: PID, PV1, ORC with the
 * placer number and the start in ORC-7 (TQ), OBR with the procedure (OBR-4), accession number (OBR-18),
 * requested procedure ID (OBR-19), modality (OBR-24) and the same TQ in OBR-27. Segments end with CR.
 */
export function ormNewOrder(order: RisOrder): string {
  const tq = `^^^${order.date}${order.time}^^R`;
  const placer = `${order.placerOrderNumber}^EHR`;
  return [
    msh('ORM^O01', order, '2.3.1'),
    pid(order),
    PV1,
    segment('ORC', { 1: 'NW', 2: placer, 7: tq, 12: '5678^ORDERER^OLIVIA' }),
    segment('OBR', {
      1: '1',
      2: placer,
      4: `${order.procedure[0]}^${order.procedure[1]}^L`,
      18: order.accessionNumber,
      19: `RP${order.accessionNumber}`.slice(0, 16),
      24: order.modality,
      27: tq,
      31: '^Follow-up',
    }),
  ]
    .map((s) => `${s}\r`)
    .join('');
}

/** MSA-1 and MSA-2 of an acknowledgement (and its ERR segments, for a failure's description). */
export function readAck(reply: Uint8Array): { code: string; controlId: string; errors: string } {
  const segments = Buffer.from(reply).toString('latin1').split('\r');
  const msa = segments.find((s) => s.startsWith('MSA'))?.split('|') ?? [];
  return {
    code: msa[1] ?? '',
    controlId: msa[2] ?? '',
    errors: [msa[3] ?? '', ...segments.filter((s) => s.startsWith('ERR'))].filter(Boolean).join(' '),
  };
}
