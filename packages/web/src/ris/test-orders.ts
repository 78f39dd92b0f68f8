import type { OrderView, StepView } from './ris-types';

/** A step for unit tests. */
export function testStep(fields: Partial<StepView> = {}): StepView {
  return {
    stepId: 'SPS1',
    status: 'SCHEDULED',
    stationAe: 'CT1',
    stationName: null,
    location: null,
    modality: 'CT',
    startDate: '20240304',
    startTime: '100000',
    durationMinutes: 30,
    performingTechnologist: null,
    description: 'CT head',
    ...fields,
  };
}

/** An order for unit tests. */
export function testOrder(accessionNumber: string, fields: Partial<OrderView> = {}): OrderView {
  return {
    accessionNumber,
    status: 'scheduled',
    statusReason: null,
    priority: 'ROUTINE',
    patient: { patientId: 'P1', issuer: 'HOSP', name: 'DOE^JANE', birthDate: '19800102', sex: 'F' },
    procedure: { code: 'CTHEAD', scheme: 'L', meaning: 'CT head' },
    modality: 'CT',
    requestedDate: '20240304',
    requestedTime: '100000',
    reason: null,
    orderingProvider: null,
    referringPhysician: null,
    referringProviderId: null,
    referringProviderIssuer: null,
    placerOrderNumber: null,
    fillerOrderNumber: null,
    studyInstanceUid: '1.2.3',
    patientLocation: null,
    source: 'ui',
    createdAt: 0,
    updatedAt: 0,
    steps: [testStep()],
    ...fields,
  };
}
