import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '../shared/app-error.js';
import {
  acceptOf,
  negotiateDataSets,
  negotiateMetadata,
  negotiateStoreResponse,
} from './data-set-negotiation.js';

const XML = 'multipart/related; type="application/dicom+xml"';

describe('negotiateDataSets (QIDO-RS results, WADO-RS metadata)', () => {
  it('answers DICOM JSON by default and for the JSON media types', () => {
    for (const accept of [
      undefined,
      '',
      '*/*',
      'application/*',
      'application/dicom+json',
      'application/json',
      'application/json, text/plain, */*',
      // Equally acceptable: the default.
      `application/dicom+json, ${XML}`,
      `${XML}, application/json`,
      `*/*, ${XML}; q=0.5`,
    ]) {
      expect(negotiateDataSets(accept, 'QIDO-RS'), String(accept)).toBe('json');
    }
  });

  it('answers multipart XML when the Accept list prefers it', () => {
    for (const accept of [
      XML,
      'multipart/related;type=application/dicom+xml', // unquoted, as odil sends it
      'multipart/related; type="Application/DICOM+XML"',
      'multipart/related',
      'multipart/*',
      `application/dicom+json; q=0.5, ${XML}`,
      // XML named against JSON reached only through a wildcard.
      `*/*, ${XML}`,
      `application/*;q=0.8, ${XML};q=0.8`,
    ]) {
      expect(negotiateDataSets(accept, 'QIDO-RS'), accept).toBe('xml');
    }
  });

  it('answers 406 for lists naming neither, a bare application/dicom+xml included', () => {
    for (const accept of [
      'image/jpeg',
      'application/dicom+xml',
      'multipart/related; type="application/dicom"',
      `${XML}; q=0`,
      'text/html, application/xml',
    ]) {
      let error: unknown;
      try {
        negotiateDataSets(accept, 'metadata');
      } catch (e) {
        error = e;
      }
      expect(error, accept).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(ErrorCode.NotAcceptable);
      expect((error as AppError).detail).toContain('metadata answers application/dicom+json or ' + XML);
    }
  });
});

describe('negotiateMetadata (WADO-RS metadata)', () => {
  it('answers XML when preferred, JSON for everything else', () => {
    expect(negotiateMetadata(XML)).toBe('xml');
    for (const accept of [
      undefined,
      'image/jpeg',
      'multipart/related; type="application/dicom"',
      'multipart/related; type="application/dicom+json"',
      'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2', // Java's HttpURLConnection
    ])
      expect(negotiateMetadata(accept), String(accept)).toBe('json');
  });
});

describe('negotiateStoreResponse (STOW-RS)', () => {
  it('answers XML for application/dicom+xml and JSON otherwise, whatever the list', () => {
    expect(negotiateStoreResponse('application/dicom+xml')).toBe('xml');
    expect(negotiateStoreResponse('application/dicom+json; q=0.9, application/dicom+xml')).toBe('xml');
    expect(negotiateStoreResponse('application/dicom+json, application/dicom+xml')).toBe('json');
    expect(negotiateStoreResponse('*/*, application/dicom+xml')).toBe('xml');
    expect(negotiateStoreResponse(undefined)).toBe('json');
    expect(negotiateStoreResponse('*/*')).toBe('json');
    expect(negotiateStoreResponse('image/jpeg')).toBe('json');
    expect(negotiateStoreResponse(XML)).toBe('json');
  });
});

describe('acceptOf', () => {
  it('takes the accept query parameter in place of the header', () => {
    expect(acceptOf(XML, 'application/dicom+json')).toBe(XML);
    expect(acceptOf(['image/png', XML], undefined)).toBe(`image/png, ${XML}`);
    expect(acceptOf(undefined, 'application/json')).toBe('application/json');
    // As clients write it: an unencoded + arrives as a space; dcm4che's wadors sends a bare *.
    expect(acceptOf('application/dicom json', undefined)).toBe('application/dicom+json');
    expect(acceptOf('multipart/related;type=application/dicom xml', undefined)).toBe(
      'multipart/related;type=application/dicom+xml',
    );
    expect(acceptOf('*', 'application/json')).toBe('*/*');
    // Nothing usable in the parameter: the header stands.
    expect(acceptOf('nonsense', 'application/json')).toBe('application/json');
  });
});
