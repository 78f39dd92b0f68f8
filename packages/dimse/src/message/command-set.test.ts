import { describe, expect, it } from 'vitest';
import { CommandField, NO_DATA_SET, PRIORITY_MEDIUM, Status } from './command-field.js';
import { type CommandSet, CommandSetError, decodeCommandSet, encodeCommandSet } from './command-set.js';

const ascii = (text: string): number[] => Array.from(Buffer.from(text, 'latin1'));

/** One Implicit VR Little Endian element of group 0000. */
function element(elementNumber: number, value: number[]): number[] {
  const n = value.length;
  return [0x00, 0x00, elementNumber & 0xff, elementNumber >>> 8, n & 0xff, (n >>> 8) & 0xff, 0, 0, ...value];
}

/** Every element of an encoded command set after the group length: [tag, value]. */
function elements(bytes: Uint8Array): Array<[number, Uint8Array]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<[number, Uint8Array]> = [];
  for (let at = 12; at < bytes.length;) {
    const tag = view.getUint16(at, true) * 0x10000 + view.getUint16(at + 2, true);
    const length = view.getUint32(at + 4, true);
    out.push([tag, bytes.subarray(at + 8, at + 8 + length)]);
    at += 8 + length;
  }
  return out;
}

const everyField: CommandSet = {
  affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  requestedSopClassUid: '1.2.840.10008.5.1.4.1.1.4',
  commandField: CommandField.CMoveRsp,
  messageId: 0xfffe,
  messageIdBeingRespondedTo: 7,
  moveDestination: 'STORESCP',
  priority: 2,
  commandDataSetType: 0x0000,
  status: Status.Pending,
  offendingElement: [0x00100020, 0x7fe00010],
  errorComment: 'bad key',
  errorId: 42,
  affectedSopInstanceUid: '1.2.3.4.5',
  requestedSopInstanceUid: '1.2.3.4.56',
  eventTypeId: 3,
  actionTypeId: 4,
  remainingSubOperations: 10,
  completedSubOperations: 11,
  failedSubOperations: 12,
  warningSubOperations: 13,
  moveOriginatorAeTitle: 'MODALITY',
  moveOriginatorMessageId: 99,
};

describe('encodeCommandSet', () => {
  it('encodes a C-ECHO-RQ byte for byte, group length first', () => {
    const bytes = encodeCommandSet({
      affectedSopClassUid: '1.2.840.10008.1.1',
      commandField: CommandField.CEchoRq,
      messageId: 1,
      commandDataSetType: NO_DATA_SET,
    });
    expect(Array.from(bytes)).toEqual([
      ...element(0x0000, [0x38, 0x00, 0x00, 0x00]),
      ...element(0x0002, ascii('1.2.840.10008.1.1\0')),
      ...element(0x0100, [0x30, 0x00]),
      ...element(0x0110, [0x01, 0x00]),
      ...element(0x0800, [0x01, 0x01]),
    ]);
  });

  it('sets CommandGroupLength (0000,0000) to the byte count of the elements after it', () => {
    const bytes = encodeCommandSet(everyField);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(0, true)).toBe(0); // tag (0000,0000)
    expect(view.getUint32(4, true)).toBe(4);
    expect(view.getUint32(8, true)).toBe(bytes.length - 12);
  });

  it('writes the elements in ascending tag order, each with an even length', () => {
    const tags = elements(encodeCommandSet(everyField));
    expect(tags).toHaveLength(Object.keys(everyField).length);
    const numbers = tags.map(([tag]) => tag);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    for (const [, value] of tags) expect(value.length % 2).toBe(0);
  });

  it('pads an odd-length UID with NUL and odd-length AE and LO values with a space', () => {
    const found = new Map(
      elements(
        encodeCommandSet({
          commandField: CommandField.CMoveRq,
          commandDataSetType: 0,
          affectedSopInstanceUid: '1.2.3',
          moveDestination: 'ABC',
          errorComment: 'odd',
        }),
      ),
    );
    expect(Array.from(found.get(0x00001000)!)).toEqual(ascii('1.2.3\0'));
    expect(Array.from(found.get(0x00000600)!)).toEqual(ascii('ABC '));
    expect(Array.from(found.get(0x00000902)!)).toEqual(ascii('odd '));
  });

  it('cuts an AE title to 16 characters', () => {
    const bytes = encodeCommandSet({
      commandField: CommandField.CMoveRq,
      commandDataSetType: 0,
      moveDestination: 'ABCDEFGHIJKLMNOPQR',
    });
    expect(Array.from(new Map(elements(bytes)).get(0x00000600)!)).toEqual(ascii('ABCDEFGHIJKLMNOP'));
  });

  it('writes an AT value as group then element, each little endian', () => {
    const bytes = encodeCommandSet({
      commandField: 0x8001,
      commandDataSetType: 0x0101,
      offendingElement: [0x00100020],
    });
    expect(Array.from(new Map(elements(bytes)).get(0x00000901)!)).toEqual([0x10, 0x00, 0x20, 0x00]);
  });
});

describe('decodeCommandSet', () => {
  it('decodes every field back to what was encoded', () => {
    expect(decodeCommandSet(encodeCommandSet(everyField))).toEqual(everyField);
  });

  it('drops the padding of UIDs and AE titles', () => {
    const decoded = decodeCommandSet(
      encodeCommandSet({
        commandField: CommandField.CStoreRq,
        commandDataSetType: 0,
        priority: PRIORITY_MEDIUM,
        affectedSopInstanceUid: '1.2.345',
        moveOriginatorAeTitle: 'ORIGIN',
      }),
    );
    expect(decoded.affectedSopInstanceUid).toBe('1.2.345');
    expect(decoded.moveOriginatorAeTitle).toBe('ORIGIN');
    expect(decoded.priority).toBe(0);
  });

  it('reads a command set lying inside a larger buffer', () => {
    const encoded = encodeCommandSet({
      commandField: CommandField.CEchoRsp,
      commandDataSetType: NO_DATA_SET,
      status: 0,
    });
    const holder = new Uint8Array(encoded.length + 7);
    holder.set(encoded, 3);
    expect(decodeCommandSet(holder.subarray(3, 3 + encoded.length))).toEqual({
      commandField: 0x8030,
      commandDataSetType: 0x0101,
      status: 0,
    });
  });

  it('skips elements of group 0000 it does not know', () => {
    const bytes = Uint8Array.from([
      ...element(0x0000, [0, 0, 0, 0]),
      ...element(0x0005, ascii('RETIRED ')),
      ...element(0x0100, [0x30, 0x80]),
      ...element(0x4000, [1, 2, 3, 4, 5, 6]),
      ...element(0x0800, [0x01, 0x01]),
    ]);
    expect(decodeCommandSet(bytes)).toEqual({ commandField: 0x8030, commandDataSetType: 0x0101 });
  });

  it('throws CommandSetError when CommandField is missing', () => {
    const bytes = Uint8Array.from([...element(0x0110, [1, 0]), ...element(0x0800, [0x01, 0x01])]);
    expect(() => decodeCommandSet(bytes)).toThrow(CommandSetError);
  });

  it('throws CommandSetError when CommandDataSetType is missing', () => {
    expect(() => decodeCommandSet(Uint8Array.from(element(0x0100, [0x30, 0x00])))).toThrow(CommandSetError);
  });

  it('throws CommandSetError when an element length runs past the end', () => {
    const bytes = Uint8Array.from([...element(0x0100, [0x30, 0x00]), ...element(0x0800, [0x01, 0x01])]);
    bytes[bytes.length - 6] = 0x03; // (0000,0800) now claims 3 bytes
    expect(() => decodeCommandSet(bytes)).toThrow(CommandSetError);
    expect(() => decodeCommandSet(bytes)).toThrow('overruns');
  });

  it('throws CommandSetError for a truncated element header', () => {
    const bytes = Uint8Array.from([...element(0x0100, [0x30, 0x00]), 0x00, 0x00, 0x00, 0x08]);
    expect(() => decodeCommandSet(bytes)).toThrow(CommandSetError);
  });

  it('throws CommandSetError for an element outside group 0000', () => {
    const bytes = Uint8Array.from([...element(0x0100, [0x30, 0x00]), 0x08, 0x00, 0x16, 0x00, 0, 0, 0, 0]);
    expect(() => decodeCommandSet(bytes)).toThrow(CommandSetError);
  });

  it('throws CommandSetError for a US element shorter than 2 bytes', () => {
    const bytes = Uint8Array.from([...element(0x0100, []), ...element(0x0800, [0x01, 0x01])]);
    expect(() => decodeCommandSet(bytes)).toThrow(CommandSetError);
  });
});
