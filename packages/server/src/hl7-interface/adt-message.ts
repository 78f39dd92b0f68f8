import type { Hl7Message } from '@lightbox/hl7';
import type { Transaction } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { Ris } from '../ris/ris.js';
import type { Actor } from '../security/actor.js';
import { requiredSegment } from './hl7-values.js';
import { messagePatient, patientIdentifier } from './patient-identity.js';

/** ADT events that create or update the patient (HL7 v2.5.1 §3.3; IHE RAD-1, RAD-12). */
const PATIENT_EVENTS: ReadonlySet<string> = new Set(['A01', 'A04', 'A05', 'A08', 'A28', 'A31']);

/** What an ADT message did, for the log (an applied one was logged in its own transaction). */
export type AdtOutcome = { applied: true; detail: string } | { applied: false; detail: string };

/**
 * Applies an ADT message: A01/A04/A05/A08/A28/A31 record the PID's demographics; A40 merges the MRG
 * patient into the PID patient (IHE PIR). Other ADT events (transfers, discharges, …) are accepted and
 * kept in the log but change nothing: a feed sends them all, and refusing them would stall it.
 */
export async function applyAdt(
  message: Hl7Message,
  ris: Ris,
  actor: Actor,
  logApplied: (trx: Transaction<Tables>, detail: string) => Promise<void>,
): Promise<AdtOutcome> {
  const event = message.triggerEvent.toUpperCase();
  if (PATIENT_EVENTS.has(event)) {
    const patient = messagePatient(message);
    const detailOf = (result: { created: boolean; changed: string[] }) =>
      result.created ? 'patient created' : `patient updated: ${result.changed.join(', ') || 'no change'}`;
    const result = await ris.recordPatient(patient, actor, (trx, done) => logApplied(trx, detailOf(done)));
    return { applied: true, detail: detailOf(result) };
  }
  if (event === 'A40') {
    const survivor = messagePatient(message);
    const mrg = requiredSegment(message, 'MRG');
    const prior = patientIdentifier(mrg.field(1), 'MRG-1', { segment: 'MRG', field: 1 });
    const detailOf = (moved: { studies: string[]; orders: number }) =>
      `merged: ${moved.studies.length} studies, ${moved.orders} orders moved`;
    const moved = await ris.mergePatient(survivor, prior, actor, (trx, done) =>
      logApplied(trx, detailOf(done)),
    );
    return { applied: true, detail: detailOf(moved) };
  }
  return { applied: false, detail: `ADT^${event} is not used by Lightbox; logged only` };
}
