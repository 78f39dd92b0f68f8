import { describe, expect, it } from 'vitest';
import { firstPartOf } from './multipart-part';

describe('firstPartOf', () => {
  it('reads the body of the first part of a multipart answer', async () => {
    const body = new Uint8Array([0, 13, 10, 45, 45, 255]);
    const head = new TextEncoder().encode('--b1\r\nContent-Type: application/octet-stream\r\n\r\n');
    const tail = new TextEncoder().encode('\r\n--b1--\r\n');
    const answer = new Uint8Array([...head, ...body, ...tail]);
    const type = 'multipart/related; type="application/octet-stream"; boundary=b1';
    expect(await firstPartOf(new Response(answer, { headers: { 'content-type': type } }))).toEqual(body);
    await expect(
      firstPartOf(new Response(answer, { headers: { 'content-type': 'application/octet-stream' } })),
    ).rejects.toThrow(/multipart/);
  });
});
