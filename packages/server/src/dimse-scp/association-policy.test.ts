import { TransferSyntaxUid } from '@lightbox/dicom';
import { DICOM_APPLICATION_CONTEXT, PresentationContextResult, type AssociateRequest } from '@lightbox/dimse';
import { describe, expect, it } from 'vitest';
import { decideAssociation, type AssociationPolicy } from './association-policy.js';
import { DEFAULT_PRIVATE_STORAGE_SOP_CLASSES } from './private-storage-sop-classes.js';

const CSA_NON_IMAGE = '1.3.12.2.1107.5.9.1';
const US_RETIRED = '1.2.840.10008.5.1.4.1.1.6';
const XA_BIPLANE_RETIRED = '1.2.840.10008.5.1.4.1.1.12.3';
const UNKNOWN_PRIVATE = '1.2.3.4.5.6.7';

const policy = (privateStorage: readonly string[]): AssociationPolicy => ({
  aeTitle: 'LIGHTBOX',
  maxAssociations: 10,
  queryFromAnyAe: false,
  queryRequiresUserIdentity: false,
  storeFromAnyAe: true,
  worklistFromAnyAe: true,
  privateStorageSopClasses: new Set(privateStorage),
});

function request(abstractSyntaxes: string[]): AssociateRequest {
  return {
    protocolVersion: 1,
    calledAeTitle: 'LIGHTBOX',
    callingAeTitle: 'MODALITY',
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: abstractSyntaxes.map((abstractSyntax, i) => ({
      id: 2 * i + 1,
      abstractSyntax,
      transferSyntaxes: [TransferSyntaxUid.ExplicitVRLittleEndian],
    })),
    user: { maxLength: 16384, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
  };
}

function results(privateStorage: readonly string[], abstractSyntaxes: string[]): number[] {
  const decision = decideAssociation(request(abstractSyntaxes), policy(privateStorage), 1, {
    registered: false,
    identified: false,
  });
  if (!decision.accept) throw new Error('association rejected');
  return decision.answer.presentationContexts.map((c) => c.result);
}

describe('storage SOP classes beyond the current ones of PS3.4 Annex B', () => {
  it('accepts the retired storage classes, whatever private classes are configured', () => {
    expect(results([], [US_RETIRED, XA_BIPLANE_RETIRED])).toEqual([
      PresentationContextResult.Acceptance,
      PresentationContextResult.Acceptance,
    ]);
  });

  it('accepts the configured private classes (the defaults include Siemens CSA Non-Image) and no others', () => {
    expect(results(DEFAULT_PRIVATE_STORAGE_SOP_CLASSES, [CSA_NON_IMAGE, UNKNOWN_PRIVATE])).toEqual([
      PresentationContextResult.Acceptance,
      PresentationContextResult.AbstractSyntaxNotSupported,
    ]);
    expect(results([UNKNOWN_PRIVATE], [CSA_NON_IMAGE, UNKNOWN_PRIVATE])).toEqual([
      PresentationContextResult.AbstractSyntaxNotSupported,
      PresentationContextResult.Acceptance,
    ]);
  });
});
