import type { AuditRecord } from './audit-chain.js';
import { auditCodeMeaning, type AuditNode } from './audit-sink.js';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function code(element: string, csdCode: string, system: string, meaning: string): string {
  return `<${element} csd-code="${escape(csdCode)}" codeSystemName="${system}" originalText="${escape(meaning)}"/>`;
}

/** The Source or Destination of a transfer (PS3.15 A.5.3.4): the AE by its title, at its address. */
function transferNode(node: AuditNode, roleId: string, roleName: string): string {
  const aeTitle = escape(node.aeTitle);
  const access =
    node.host === undefined
      ? ''
      : ` NetworkAccessPointID="${escape(node.host)}" NetworkAccessPointTypeCode="2"`;
  return `<ActiveParticipant UserID="${aeTitle}" AlternativeUserID="AETITLES=${aeTitle}" UserIsRequestor="false"${access}>${code('RoleIDCode', roleId, 'DCM', roleName)}</ActiveParticipant>`;
}

/**
 * An audit event as a DICOM audit message (PS3.15 A.5.1, the RFC 3881 format as DICOM extends it): event
 * identification, the requesting user and Lightbox as active participants, the audit source, and the
 * patients and studies as participant objects.
 */
export function auditMessageXml(record: AuditRecord, source: { id: string; aeTitle: string }): string {
  const outcome = record.outcome === 'success' ? '0' : '4';
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<AuditMessage>',
    `<EventIdentification EventActionCode="${escape(record.action)}" EventDateTime="${new Date(record.occurredAt).toISOString()}" EventOutcomeIndicator="${outcome}">`,
    code('EventID', record.eventId, 'DCM', auditCodeMeaning(record.eventId)),
    record.eventType === null
      ? ''
      : code('EventTypeCode', record.eventType, 'DCM', auditCodeMeaning(record.eventType)),
    record.detail === null
      ? ''
      : `<EventOutcomeDescription>${escape(record.detail)}</EventOutcomeDescription>`,
    '</EventIdentification>',
    `<ActiveParticipant UserID="${escape(record.username)}"${record.aeTitle === null ? '' : ` AlternativeUserID="AETITLES=${escape(record.aeTitle)}"`} UserIsRequestor="true"${
      record.address === null
        ? ''
        : ` NetworkAccessPointID="${escape(record.address)}" NetworkAccessPointTypeCode="2"`
    }>`,
    ...record.roles.map((role) => code('RoleIDCode', role, 'Lightbox', role)),
    '</ActiveParticipant>',
    ...(record.transfer === undefined
      ? [
          `<ActiveParticipant UserID="${escape(source.id)}" AlternativeUserID="AETITLES=${escape(source.aeTitle)}" UserIsRequestor="false">`,
          code('RoleIDCode', '110153', 'DCM', 'Source Role ID'),
          '</ActiveParticipant>',
        ]
      : [
          transferNode(record.transfer.source, '110153', 'Source Role ID'),
          transferNode(record.transfer.destination, '110152', 'Destination Role ID'),
        ]),
    `<AuditSourceIdentification AuditSourceID="${escape(source.id)}">`,
    code('AuditSourceTypeCode', '4', 'DCM', 'Application Server Process'),
    '</AuditSourceIdentification>',
    ...record.patientIds.map(
      (id) =>
        `<ParticipantObjectIdentification ParticipantObjectID="${escape(id)}" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1">${code('ParticipantObjectIDTypeCode', '2', 'RFC-3881', 'Patient Number')}</ParticipantObjectIdentification>`,
    ),
    ...record.studyUids.map(
      (uid) =>
        `<ParticipantObjectIdentification ParticipantObjectID="${escape(uid)}" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3">${code('ParticipantObjectIDTypeCode', '110180', 'DCM', 'Study Instance UID')}</ParticipantObjectIdentification>`,
    ),
    '</AuditMessage>',
  ];
  return parts.filter((p) => p !== '').join('');
}
