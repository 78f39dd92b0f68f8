import { describe, expect, it } from 'vitest';
import { frameMllp } from './frame-mllp.js';
import { MllpDecoder } from './mllp-decoder.js';
import { MllpFrameError } from './mllp-frame-error.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);
const first = 'MSH|^~\\&|A||||||ADT^A01|1|P|2.5.1\rPID|1||Zoë\r';
const second = 'MSH|^~\\&|A||||||ADT^A08|2|P|2.5.1\rPID|1||X\r';
const stream = new Uint8Array([...frameMllp(bytes(first)), ...frameMllp(bytes(second))]);

describe('frameMllp', () => {
  it('wraps a message in VT … FS CR (HL7 v2.5.1 Appendix C)', () => {
    expect(Array.from(frameMllp(Uint8Array.of(0x41, 0x42)))).toEqual([0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });
});

describe('MllpDecoder', () => {
  it('returns both messages of one chunk', () => {
    expect(new MllpDecoder().push(stream).map(text)).toEqual([first, second]);
  });

  it('gives the same messages wherever the stream is cut in two or three', () => {
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 7) {
        const decoder = new MllpDecoder();
        const out = [
          ...decoder.push(stream.subarray(0, a)),
          ...decoder.push(stream.subarray(a, b)),
          ...decoder.push(stream.subarray(b)),
        ];
        expect(out.map(text), `cut at ${a} and ${b}`).toEqual([first, second]);
        expect(decoder.discardedBytes).toBe(0);
      }
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const decoder = new MllpDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out.map(text)).toEqual([first, second]);
  });

  it('handles FS and CR arriving in different chunks', () => {
    const frame = frameMllp(bytes(first));
    const decoder = new MllpDecoder();
    expect(decoder.push(frame.subarray(0, -1)).map(text)).toEqual([first]);
    expect(decoder.push(Uint8Array.of(0x0d, ...frameMllp(bytes(second)))).map(text)).toEqual([second]);
    expect(decoder.discardedBytes).toBe(0);
  });

  it('tolerates a missing CR after FS', () => {
    const decoder = new MllpDecoder();
    const noCr = (m: string): number[] => [0x0b, ...bytes(m), 0x1c];
    expect(decoder.push(Uint8Array.from([...noCr(first), ...noCr(second)])).map(text)).toEqual([
      first,
      second,
    ]);
  });

  it('counts and drops bytes outside a frame', () => {
    const decoder = new MllpDecoder();
    const garbage = bytes('GET / HTTP/1.1\r\n\r\n');
    expect(decoder.push(new Uint8Array([...garbage, ...stream, 0x0a])).map(text)).toEqual([first, second]);
    expect(decoder.discardedBytes).toBe(garbage.length + 1);
  });

  it('drops a partial frame when a new start block arrives', () => {
    const decoder = new MllpDecoder();
    expect(decoder.push(Uint8Array.from([0x0b, 0x41, 0x42]))).toEqual([]);
    expect(decoder.push(frameMllp(bytes(first))).map(text)).toEqual([first]);
    expect(decoder.discardedBytes).toBe(3);
  });

  it('returns an empty payload for an empty frame', () => {
    expect(new MllpDecoder().push(frameMllp(new Uint8Array(0)))).toEqual([new Uint8Array(0)]);
  });

  it('throws MllpFrameError for a frame over maxMessageBytes, even when it arrives in pieces', () => {
    const big = frameMllp(new Uint8Array(101).fill(0x41));
    expect(() => new MllpDecoder({ maxMessageBytes: 100 }).push(big)).toThrow(MllpFrameError);
    const decoder = new MllpDecoder({ maxMessageBytes: 100 });
    expect(decoder.push(big.subarray(0, 60))).toEqual([]);
    expect(() => decoder.push(big.subarray(60))).toThrow(/larger than 100 bytes/);
    expect(new MllpDecoder({ maxMessageBytes: 101 }).push(big)).toHaveLength(1);
  });
});
