import { describe, expect, it } from 'vitest';
import type { AuditRecord } from './audit-chain.js';
import { auditMessageXml } from './audit-message-xml.js';
import type { TransferParticipants } from './audit-sink.js';
import { transferDetail, transferParticipantsOf } from './transfer-participants.js';

const TRANSFERRED = '110104';
const moved: TransferParticipants = {
  source: { aeTitle: 'LIGHTBOX', host: '10.0.0.2' },
  destination: { aeTitle: 'PACS2', host: '10.0.0.7' },
};

describe('the Source and Destination a transfer event names in its detail (PS3.15 A.5.3.4)', () => {
  it('reads back what it wrote, after the detail and any emergency reason', () => {
    const detail = transferDetail(moved, '3 instances');
    expect(detail).toBe('from "LIGHTBOX" (10.0.0.2) to "PACS2" (10.0.0.7): 3 instances');
    expect(transferParticipantsOf(TRANSFERRED, detail)).toEqual(moved);
    expect(transferParticipantsOf(TRANSFERRED, `${detail} [emergency access: trauma]`)).toEqual(moved);
  });

  it('keeps AE titles with spaces, quotes and " to " apart, and IPv6 hosts; a host may be unknown', () => {
    const odd: TransferParticipants = {
      source: { aeTitle: 'A "to" B', host: '::ffff:127.0.0.1' },
      destination: { aeTitle: ' X to Y ' },
    };
    const detail = transferDetail(odd, undefined);
    expect(transferParticipantsOf(TRANSFERRED, detail)).toEqual(odd);
  });

  it('leaves out a host that could not be read back', () => {
    const detail = transferDetail(
      { ...moved, destination: { aeTitle: 'PACS2', host: 'a b' } },
      '1 instances',
    );
    expect(transferParticipantsOf(TRANSFERRED, detail)).toEqual({
      ...moved,
      destination: { aeTitle: 'PACS2' },
    });
  });

  it('names none for a DICOMweb transfer, for other events, or when only the text after it looks like one', () => {
    expect(transferParticipantsOf(TRANSFERRED, '2 instances')).toBeUndefined();
    expect(transferParticipantsOf(TRANSFERRED, null)).toBeUndefined();
    expect(transferParticipantsOf('110112', transferDetail(moved, undefined))).toBeUndefined();
    expect(
      transferParticipantsOf(
        TRANSFERRED,
        `2 instances [emergency access: ${transferDetail(moved, undefined)}]`,
      ),
    ).toBeUndefined();
  });
});

describe('a transfer event as a DICOM audit message', () => {
  const record = (transfer?: TransferParticipants): AuditRecord => ({
    seq: 1,
    occurredAt: 0,
    eventId: TRANSFERRED,
    eventType: null,
    action: 'R',
    outcome: 'success',
    username: 'MOVESCU',
    roles: ['dicom-node'],
    protocol: 'dimse',
    address: '10.0.0.9',
    aeTitle: 'MOVESCU',
    patientIds: [],
    studyUids: [],
    detail: null,
    ...(transfer !== undefined ? { transfer } : {}),
  });
  const source = { id: 'lightbox-host', aeTitle: 'LIGHTBOX' };

  it('has the Source and Destination as active participants, by AE title and network address', () => {
    const xml = auditMessageXml(record(moved), source);
    expect(xml).toContain(
      '<ActiveParticipant UserID="LIGHTBOX" AlternativeUserID="AETITLES=LIGHTBOX" UserIsRequestor="false" NetworkAccessPointID="10.0.0.2" NetworkAccessPointTypeCode="2"><RoleIDCode csd-code="110153" codeSystemName="DCM" originalText="Source Role ID"/></ActiveParticipant>',
    );
    expect(xml).toContain(
      '<ActiveParticipant UserID="PACS2" AlternativeUserID="AETITLES=PACS2" UserIsRequestor="false" NetworkAccessPointID="10.0.0.7" NetworkAccessPointTypeCode="2"><RoleIDCode csd-code="110152" codeSystemName="DCM" originalText="Destination Role ID"/></ActiveParticipant>',
    );
    expect(xml).toContain('UserID="MOVESCU"');
    expect(xml.match(/csd-code="110153"/g)).toHaveLength(1);
  });

  it('has Lightbox alone as the Source when the transfer names no AEs', () => {
    const xml = auditMessageXml(record(), source);
    expect(xml).toContain('UserID="lightbox-host" AlternativeUserID="AETITLES=LIGHTBOX"');
    expect(xml).not.toContain('110152');
  });
});
