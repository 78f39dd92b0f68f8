import { TransferSyntaxUid } from '@lightbox/dicom';
import type { InstanceCorrection } from '../archive/current-values.js';
import { describe, expect, it } from 'vitest';
import { contextFor } from './storage-contexts.js';

const MR = '1.2.840.10008.5.1.4.1.1.4';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const accepted = [
  { id: 1, abstractSyntax: MR, transferSyntax: TransferSyntaxUid.ExplicitVRLittleEndian },
  { id: 3, abstractSyntax: MR, transferSyntax: DEFLATED },
];
const correction: InstanceCorrection = {
  current: { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'NEW^NAME' }] } },
  replaced: { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'OLD^NAME' }] } },
  at: new Date(),
};

describe('contextFor', () => {
  it('sends an instance in its stored syntax when the peer took it', () => {
    expect(contextFor({ sopClassUid: MR, transferSyntaxUid: DEFLATED }, accepted)?.id).toBe(3);
  });

  it('sends a corrected deflated object inflated, the only way its current values go out', () => {
    expect(contextFor({ sopClassUid: MR, transferSyntaxUid: DEFLATED, correction }, accepted)?.id).toBe(1);
    // With no native context it still goes, as stored.
    expect(contextFor({ sopClassUid: MR, transferSyntaxUid: DEFLATED, correction }, [accepted[1]!])?.id).toBe(
      3,
    );
  });
});
