import { describe, expect, it } from 'vitest';
import { isVr } from '../vr.js';
import {
  STORAGE_SOP_CLASS_UIDS,
  Tag,
  dictionaryEntries,
  lookupTag,
  lookupUid,
  retiredStorageSopClassUids,
  tagForKeyword,
  uidEntries,
} from './index.js';

describe('lookupTag', () => {
  it.each([
    [0x00100010, 'PatientName', ['PN'], '1'],
    [0x7fe00010, 'PixelData', ['OB', 'OW'], '1'],
    [0x60003000, 'OverlayData', ['OB', 'OW'], '1'],
    [0x60023000, 'OverlayData', ['OB', 'OW'], '1'],
    [0x00280106, 'SmallestImagePixelValue', ['US', 'SS'], '1'],
    [0x00283006, 'LUTData', ['US', 'OW'], '1-n'],
    [0x00020010, 'TransferSyntaxUID', ['UI'], '1'],
    [0x00020000, 'FileMetaInformationGroupLength', ['UL'], '1'],
    [0x00000100, 'CommandField', ['US'], '1'],
    [0x00000000, 'CommandGroupLength', ['UL'], '1'],
    [0x00080005, 'SpecificCharacterSet', ['CS'], '1-n'],
    [0x0020000d, 'StudyInstanceUID', ['UI'], '1'],
    [0x00400275, 'RequestAttributesSequence', ['SQ'], '1'],
    [0x300a00b0, 'BeamSequence', ['SQ'], '1'],
    [0x00080017, 'AcquisitionUID', ['UI'], '1'], // only dcmjs (newer than pydicom 2.3.1) has it
    [0x00020031, 'RTVMetaInformationVersion', ['OB'], '1'], // only pydicom has it
    [0xfffee000, 'Item', [], '1'],
  ])('(%s) is %s', (tag, keyword, vrs, vm) => {
    const entry = lookupTag(tag);
    expect(entry).toMatchObject({ tag, keyword, vm });
    expect(entry?.vrs).toEqual(vrs);
  });

  it('resolves repeating groups and repeating elements with the tag asked for', () => {
    expect(lookupTag(0x601e0010)).toMatchObject({ tag: 0x601e0010, keyword: 'OverlayRows', vrs: ['US'] });
    expect(lookupTag(0x50fe3000)).toMatchObject({ tag: 0x50fe3000, keyword: 'CurveData', retired: true });
    expect(lookupTag(0x7f020010)).toMatchObject({ keyword: 'VariablePixelData', retired: true });
    expect(lookupTag(0x00203105)).toMatchObject({ keyword: 'SourceImageIDs', vrs: ['CS'] });
    expect(lookupTag(0x00280421)).toMatchObject({
      tag: 0x00280421,
      keyword: 'ColumnsForNthOrderCoefficients',
    });
    expect(lookupTag(0x10101234)).toMatchObject({ keyword: 'ZonalMap' });
  });

  it('handles group lengths and private tags', () => {
    expect(lookupTag(0x00080000)).toMatchObject({
      keyword: 'GenericGroupLength',
      vrs: ['UL'],
      retired: true,
    });
    expect(lookupTag(0x00290000)).toMatchObject({ keyword: 'PrivateGroupLength', vrs: ['UL'] });
    expect(lookupTag(0x00090010)).toMatchObject({ tag: 0x00090010, keyword: 'PrivateCreator', vrs: ['LO'] });
    expect(lookupTag(0x7fe100ff)).toMatchObject({ keyword: 'PrivateCreator' });
    expect(lookupTag(0x00091010)).toBeUndefined();
    expect(lookupTag(0x00290100)).toBeUndefined();
    expect(lookupTag(0x60013000)).toBeUndefined(); // odd group: private, not an overlay
    expect(lookupTag(0x00030010)).toBeUndefined(); // odd groups below 0008 are not private
    expect(lookupTag(0xffff0010)).toBeUndefined();
    expect(lookupTag(0x00081234)).toBeUndefined();
    expect(lookupTag((0xfffe << 16) | 0xe000)?.keyword).toBe('Item'); // a negative number from a signed `|`
  });

  it('marks retired elements', () => {
    expect(lookupTag(0x00000001)?.retired).toBe(true); // CommandLengthToEnd
    expect(lookupTag(0x00101000)?.retired).toBe(true); // OtherPatientIDs (pydicom says so)
    expect(lookupTag(0x21000140)?.retired).toBe(true); // DestinationAE (dcmjs says so)
    expect(lookupTag(0x00280020)?.retired).toBe(true); // keyword-less retired element
    expect(lookupTag(0x00100010)?.retired).toBe(false);
    expect(lookupTag(0x60003000)?.retired).toBe(false);
    expect(dictionaryEntries().filter((e) => e.retired).length).toBeGreaterThan(400);
  });
});

describe('the element table', () => {
  const entries = dictionaryEntries();

  it('has every public element', () => {
    expect(entries.length).toBeGreaterThanOrEqual(4000);
    expect(new Set(entries.map((e) => e.tag)).size).toBe(entries.length);
  });

  it('uses only PS3.5 VRs, one to three per element', () => {
    for (const e of entries) {
      for (const vr of e.vrs) expect(isVr(vr), `${e.keyword} ${vr}`).toBe(true);
      if (e.vrs.length === 0) expect(e.tag >>> 16).toBe(0xfffe);
      expect(e.vrs.length).toBeLessThanOrEqual(3);
      expect(e.vm).toMatch(/^\d+(-(\d+n?|n))?$/);
    }
  });

  it('round-trips every keyword', () => {
    const withKeyword = entries.filter((e) => e.keyword);
    expect(entries.length - withKeyword.length).toBe(6); // PS3.6 lists six retired elements with no keyword
    for (const e of withKeyword) {
      expect(tagForKeyword(e.keyword), e.keyword).toBe(e.tag);
      expect(lookupTag(e.tag)?.keyword).toBe(e.keyword);
    }
    expect(tagForKeyword('OverlayData')).toBe(0x60003000);
    // A repeating element's first tag skips group lengths and tags of other elements: (0028,0400) is
    // Transform Label, (1000,0000) a group length.
    expect(tagForKeyword('RowsForNthOrderCoefficients')).toBe(0x00280410);
    expect(tagForKeyword('EscapeTriplet')).toBe(0x10000010);
    expect(lookupTag(0x00280400)?.keyword).toBe('TransformLabel');
    expect(tagForKeyword('NoSuchKeyword')).toBeUndefined();
  });

  it('exports Tag for every non-repeating keyword', () => {
    expect(Tag.PatientName).toBe(0x00100010);
    expect(Tag.StudyInstanceUID).toBe(0x0020000d);
    expect(Tag.PixelData).toBe(0x7fe00010);
    const keywords = Object.entries(Tag);
    for (const [keyword, tag] of keywords) expect(lookupTag(tag)?.keyword).toBe(keyword);
    const repeating = new Set(['OverlayData', 'CurveData', 'ZonalMap', 'SourceImageIDs']);
    for (const r of repeating) expect(Object.hasOwn(Tag, r)).toBe(false);
    const fixed = entries.filter((e) => e.keyword && lookupTag(e.tag) === e).length;
    expect(keywords.length).toBe(fixed);
  });
});

describe('UIDs', () => {
  it('has every UID of PS3.6 Annex A', () => {
    expect(uidEntries().length).toBeGreaterThanOrEqual(400);
    expect(lookupUid('1.2.840.10008.5.1.4.1.1.2')).toEqual({
      uid: '1.2.840.10008.5.1.4.1.1.2',
      name: 'CT Image Storage',
      keyword: 'CTImageStorage',
      type: 'SOP Class',
      retired: false,
    });
    expect(lookupUid('1.2.840.10008.1.2.2')).toMatchObject({ keyword: 'ExplicitVRBigEndian', retired: true });
    expect(lookupUid('1.2.840.10008.3.1.1.1')?.type).toBe('Application Context Name');
    expect(lookupUid('1.2.840.10008.1.20.1.1')?.type).toBe('Well-known SOP Instance');
    expect(lookupUid('1.2.840.10008.2.16.4')?.type).toBe('Coding Scheme');
    expect(lookupUid('1.2.840.10008.5.1.1.9')?.type).toBe('Meta SOP Class');
    expect(lookupUid('1.2.3.4')).toBeUndefined();
  });

  it.each([
    ['1.2.840.10008.1.2.4.201', 'HTJ2KLossless'],
    ['1.2.840.10008.1.2.4.202', 'HTJ2KLosslessRPCL'],
    ['1.2.840.10008.1.2.4.203', 'HTJ2K'],
    ['1.2.840.10008.1.2.4.110', 'JPEGXLLossless'],
    ['1.2.840.10008.1.2.4.111', 'JPEGXLJPEGRecompression'],
    ['1.2.840.10008.1.2.4.112', 'JPEGXL'],
    ['1.2.840.10008.1.2.1.98', 'EncapsulatedUncompressedExplicitVRLittleEndian'],
    ['1.2.840.10008.1.2.8.1', 'DeflatedImageFrameCompression'],
    ['1.2.840.10008.1.2.4.100.1', 'MPEG2MPMLF'],
  ])('has the transfer syntax %s (%s)', (uid, keyword) => {
    expect(lookupUid(uid)).toMatchObject({ uid, keyword, type: 'Transfer Syntax', retired: false });
  });

  it('lists Storage SOP Classes that are all known, current SOP Classes', () => {
    expect(STORAGE_SOP_CLASS_UIDS.length).toBeGreaterThan(150);
    expect(new Set(STORAGE_SOP_CLASS_UIDS).size).toBe(STORAGE_SOP_CLASS_UIDS.length);
    for (const uid of STORAGE_SOP_CLASS_UIDS) {
      expect(lookupUid(uid), uid).toMatchObject({ type: 'SOP Class', retired: false });
    }
    expect(STORAGE_SOP_CLASS_UIDS).toContain('1.2.840.10008.5.1.4.1.1.2'); // CT Image Storage
    expect(STORAGE_SOP_CLASS_UIDS).toContain('1.2.840.10008.5.1.4.1.1.66.7'); // Label Map Segmentation, by hand
    expect(STORAGE_SOP_CLASS_UIDS).not.toContain('1.2.840.10008.1.3.10'); // DICOMDIR
    expect(STORAGE_SOP_CLASS_UIDS).not.toContain('1.2.840.10008.1.1'); // Verification
  });

  it('lists the retired Storage SOP Classes from the dictionary, apart from the current ones', () => {
    const retired = retiredStorageSopClassUids();
    expect([...retired].sort()).toEqual(
      [
        '1.2.840.10008.5.1.1.27', // Stored Print Storage
        '1.2.840.10008.5.1.1.29', // Hardcopy Grayscale Image Storage
        '1.2.840.10008.5.1.1.30', // Hardcopy Color Image Storage
        '1.2.840.10008.5.1.4.1.1.3', // Ultrasound Multi-frame Image Storage (Retired)
        '1.2.840.10008.5.1.4.1.1.5', // Nuclear Medicine Image Storage (Retired)
        '1.2.840.10008.5.1.4.1.1.6', // Ultrasound Image Storage (Retired)
        '1.2.840.10008.5.1.4.1.1.8', // Standalone Overlay Storage
        '1.2.840.10008.5.1.4.1.1.9', // Standalone Curve Storage
        '1.2.840.10008.5.1.4.1.1.9.1', // Waveform Storage - Trial
        '1.2.840.10008.5.1.4.1.1.10', // Standalone Modality LUT Storage
        '1.2.840.10008.5.1.4.1.1.11', // Standalone VOI LUT Storage
        '1.2.840.10008.5.1.4.1.1.12.3', // X-Ray Angiographic Bi-Plane Image Storage
        '1.2.840.10008.5.1.4.1.1.77.1', // VL Image Storage - Trial
        '1.2.840.10008.5.1.4.1.1.77.2', // VL Multi-frame Image Storage - Trial
        '1.2.840.10008.5.1.4.1.1.88.1', // Text SR Storage - Trial
        '1.2.840.10008.5.1.4.1.1.88.2', // Audio SR Storage - Trial
        '1.2.840.10008.5.1.4.1.1.88.3', // Detail SR Storage - Trial
        '1.2.840.10008.5.1.4.1.1.88.4', // Comprehensive SR Storage - Trial
        '1.2.840.10008.5.1.4.1.1.129', // Standalone PET Curve Storage
        '1.2.840.10008.5.1.4.34.1', // RT Beams Delivery Instruction Storage - Trial
      ].sort(),
    );
    expect(retired).not.toContain('1.2.840.10008.1.20.2'); // Storage Commitment Pull Model
    for (const uid of retired) expect(STORAGE_SOP_CLASS_UIDS).not.toContain(uid);
  });
});
