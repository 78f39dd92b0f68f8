import type { AuditRecord } from '../security/audit/audit-chain.js';
import { auditCodeMeaning, type AuditNode } from '../security/audit/audit-sink.js';

/** DICOM's code system (PS3.16) as FHIR names it. */
export const DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
/** How FHIR writes a DICOM UID as an identifier: system `urn:dicom:uid`, value `urn:oid:<uid>`. */
export const DICOM_UID_SYSTEM = 'urn:dicom:uid';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const NETWORK_TYPE_IP = '2';

interface Coding {
  system: string;
  code: string;
  display?: string;
}

/** A FHIR R4 AuditEvent, as much of it as Lightbox fills. */
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  type: Coding;
  subtype?: Coding[];
  action: string;
  recorded: string;
  outcome: '0' | '4';
  outcomeDesc?: string;
  agent: Array<{
    type?: { coding: Coding[] };
    role?: Array<{ text: string }>;
    who: { identifier: { value: string }; display?: string };
    altId?: string;
    name?: string;
    requestor: boolean;
    network?: { address: string; type: string };
  }>;
  source: { site: string; observer: { display: string }; type: Coding[] };
  entity?: Array<{
    what: { identifier: { system?: string; value: string } };
    type: Coding;
    role: Coding;
  }>;
}

/** Where the events were recorded: this archive, by its AE title. */
export interface AuditSource {
  aeTitle: string;
}

type Agent = FhirAuditEvent['agent'][number];

const SOURCE_ROLE: Coding = { system: DCM_SYSTEM, code: '110153', display: 'Source Role ID' };
const DESTINATION_ROLE: Coding = { system: DCM_SYSTEM, code: '110152', display: 'Destination Role ID' };

/** The Source or Destination of a transfer (PS3.15 A.5.3.4) as an agent: the AE by title and address. */
function transferAgent(node: AuditNode, role: Coding, display?: string): Agent {
  return {
    type: { coding: [role] },
    who: { identifier: { value: node.aeTitle }, ...(display !== undefined ? { display } : {}) },
    altId: node.aeTitle,
    requestor: false,
    ...(node.host !== undefined ? { network: { address: node.host, type: NETWORK_TYPE_IP } } : {}),
  };
}

/**
 * An audit trail record as a FHIR R4 AuditEvent, following the DICOM audit message it stands for
 * (PS3.15 A.5, and FHIR's mapping of it): the DCM event ID as `type`, the event type code as `subtype`,
 * the requesting user (with their AE title and network address) and Lightbox as agents (for a transfer
 * between two AEs, its Source and Destination), and the patients (by Patient ID) and studies (by Study
 * Instance UID) as entities.
 */
export function auditEventResource(record: AuditRecord, source: AuditSource): FhirAuditEvent {
  const requestor: Agent = {
    who: { identifier: { value: record.username } },
    name: record.username,
    requestor: true,
    ...(record.roles.length > 0 ? { role: record.roles.map((role) => ({ text: role })) } : {}),
    ...(record.aeTitle !== null ? { altId: record.aeTitle } : {}),
    ...(record.address !== null ? { network: { address: record.address, type: NETWORK_TYPE_IP } } : {}),
  };
  const archive: Agent = {
    type: { coding: [SOURCE_ROLE] },
    who: { identifier: { value: source.aeTitle }, display: `Lightbox (${source.aeTitle})` },
    altId: source.aeTitle,
    requestor: false,
  };
  // A transfer between two AEs names both ends as recorded: Lightbox's AE at the address it sent from.
  const agents =
    record.transfer === undefined
      ? [requestor, archive]
      : [
          requestor,
          transferAgent(record.transfer.source, SOURCE_ROLE, `Lightbox (${record.transfer.source.aeTitle})`),
          transferAgent(record.transfer.destination, DESTINATION_ROLE),
        ];
  return {
    resourceType: 'AuditEvent',
    id: String(record.seq),
    type: { system: DCM_SYSTEM, code: record.eventId, display: auditCodeMeaning(record.eventId) },
    ...(record.eventType !== null
      ? {
          subtype: [
            { system: DCM_SYSTEM, code: record.eventType, display: auditCodeMeaning(record.eventType) },
          ],
        }
      : {}),
    action: record.action,
    recorded: new Date(record.occurredAt).toISOString(),
    // PS3.15 EventOutcomeIndicator: 0 success, 4 minor failure (a refused request, a wrong password).
    outcome: record.outcome === 'success' ? '0' : '4',
    ...(record.detail !== null ? { outcomeDesc: record.detail } : {}),
    agent: agents,
    source: {
      site: 'Lightbox',
      observer: { display: `Lightbox (${source.aeTitle})` },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    // FHIR JSON has no empty arrays: an event without participants has no `entity`.
    ...(record.patientIds.length + record.studyUids.length > 0
      ? {
          entity: [
            ...record.patientIds.map((id) => ({
              what: { identifier: { value: id } },
              type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
              role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
            })),
            ...record.studyUids.map((uid) => ({
              what: { identifier: { system: DICOM_UID_SYSTEM, value: `urn:oid:${uid}` } },
              type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
              role: { system: OBJECT_ROLE, code: '3', display: 'Report' },
            })),
          ],
        }
      : {}),
  };
}
