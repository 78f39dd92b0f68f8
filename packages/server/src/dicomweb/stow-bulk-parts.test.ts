import { describe, expect, it } from 'vitest';
import { BulkParts, type BulkPart } from './stow-bulk-parts.js';

const part = (n: number): BulkPart => ({ mediaType: 'application/octet-stream', bytes: new Uint8Array([n]) });

describe('BulkParts', () => {
  const bases = ['https://pacs.example/dicomweb/studies', 'http://10.0.0.5:8080/dicomweb/studies'];

  it('finds a part by the exact string, and by relative and absolute forms equal after resolution', () => {
    const parts = new BulkParts(bases);
    const [a, b, c, d] = [part(1), part(2), part(3), part(4)];
    parts.add(a, '5f3a9c', undefined); // dcm4che's stowrs: a bare UUID
    parts.add(b, 'bulk/pixel%20data', undefined);
    parts.add(c, 'https://pacs.example/dicomweb/bulk/doc', undefined);
    parts.add(d, 'http://10.0.0.5:8080/dicomweb/other', undefined);
    expect(parts.find('5f3a9c')).toEqual([a]);
    expect(parts.find('HTTPS://PACS.example/dicomweb/bulk/pixel data')).toEqual([b]);
    expect(parts.find('bulk/doc')).toEqual([c]);
    expect(parts.find('../dicomweb/bulk/doc')).toEqual([c]);
    expect(parts.find('other')).toEqual([d]); // under the Host the client used, not the public URL
    expect(parts.find('bulk/missing')).toEqual([]);
    expect(parts.unreferenced()).toBe(0);
  });

  it('finds a part by its Content-ID through a cid: URI', () => {
    const parts = new BulkParts(bases);
    const [a, b] = [part(1), part(2)];
    parts.add(a, undefined, '<frame.1@client.example>');
    parts.add(b, undefined, undefined);
    expect(parts.find('cid:frame.1@client.example')).toEqual([a]);
    expect(parts.find('CID:frame.1%40client.example')).toEqual([a]);
    expect(parts.unreferenced()).toBe(1);
  });

  it('keeps parts that share a location in order: the frames of one Pixel Data', () => {
    const parts = new BulkParts(bases);
    const frames = [part(1), part(2), part(3)];
    for (const frame of frames) parts.add(frame, 'frames', undefined);
    expect(parts.find('frames')).toEqual(frames);
  });
});
