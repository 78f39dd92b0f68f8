/**
 * DIMSE command sets (PS3.7 §6.3, Annex E): group 0000 elements, always Implicit VR Little Endian.
 */

/** The command elements Lightbox reads and writes (PS3.7 Table E.1-1), by field name. */
export interface CommandSet {
  affectedSopClassUid?: string;
  requestedSopClassUid?: string;
  commandField: number;
  messageId?: number;
  messageIdBeingRespondedTo?: number;
  moveDestination?: string;
  priority?: number;
  /** 0x0101 when no data set follows (see NO_DATA_SET). */
  commandDataSetType: number;
  status?: number;
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
  affectedSopInstanceUid?: string;
  requestedSopInstanceUid?: string;
  eventTypeId?: number;
  actionTypeId?: number;
  remainingSubOperations?: number;
  completedSubOperations?: number;
  failedSubOperations?: number;
  warningSubOperations?: number;
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
}

type Kind = 'UI' | 'US' | 'AE' | 'LO' | 'AT';

const FIELDS: ReadonlyArray<readonly [number, keyof CommandSet, Kind]> = [
  [0x00000002, 'affectedSopClassUid', 'UI'],
  [0x00000003, 'requestedSopClassUid', 'UI'],
  [0x00000100, 'commandField', 'US'],
  [0x00000110, 'messageId', 'US'],
  [0x00000120, 'messageIdBeingRespondedTo', 'US'],
  [0x00000600, 'moveDestination', 'AE'],
  [0x00000700, 'priority', 'US'],
  [0x00000800, 'commandDataSetType', 'US'],
  [0x00000900, 'status', 'US'],
  [0x00000901, 'offendingElement', 'AT'],
  [0x00000902, 'errorComment', 'LO'],
  [0x00000903, 'errorId', 'US'],
  [0x00001000, 'affectedSopInstanceUid', 'UI'],
  [0x00001001, 'requestedSopInstanceUid', 'UI'],
  [0x00001002, 'eventTypeId', 'US'],
  [0x00001008, 'actionTypeId', 'US'],
  [0x00001020, 'remainingSubOperations', 'US'],
  [0x00001021, 'completedSubOperations', 'US'],
  [0x00001022, 'failedSubOperations', 'US'],
  [0x00001023, 'warningSubOperations', 'US'],
  [0x00001030, 'moveOriginatorAeTitle', 'AE'],
  [0x00001031, 'moveOriginatorMessageId', 'US'],
];

const BY_TAG = new Map(FIELDS.map(([tag, name, kind]) => [tag, { name, kind }]));

/** A command set that cannot be decoded (PS3.7 §9.1.1: the association is aborted or answered C000). */
export class CommandSetError extends Error {
  override readonly name = 'CommandSetError';
}

function textValue(text: string, kind: Kind): Uint8Array {
  // UI pads with NUL, the other text VRs with a space (PS3.5 §6.2).
  const padded = text.length % 2 === 1 ? text + (kind === 'UI' ? '\0' : ' ') : text;
  const out = new Uint8Array(padded.length);
  for (let i = 0; i < padded.length; i++) out[i] = padded.charCodeAt(i) & 0xff;
  return out;
}

function encodeValue(value: CommandSet[keyof CommandSet], kind: Kind): Uint8Array {
  if (kind === 'US') {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value as number, true);
    return out;
  }
  if (kind === 'AT') {
    const tags = value as number[];
    const out = new Uint8Array(tags.length * 4);
    const view = new DataView(out.buffer);
    tags.forEach((tag, i) => {
      view.setUint16(i * 4, tag >>> 16, true);
      view.setUint16(i * 4 + 2, tag & 0xffff, true);
    });
    return out;
  }
  const text = kind === 'AE' ? (value as string).slice(0, 16) : (value as string);
  return textValue(text, kind);
}

/** Encodes a command set with its CommandGroupLength (0000,0000) first. */
export function encodeCommandSet(command: CommandSet): Uint8Array {
  const elements: Array<{ tag: number; value: Uint8Array }> = [];
  for (const [tag, name, kind] of FIELDS) {
    const value = command[name];
    if (value === undefined) continue;
    elements.push({ tag, value: encodeValue(value, kind) });
  }
  const groupLength = elements.reduce((sum, e) => sum + 8 + e.value.length, 0);
  const out = new Uint8Array(12 + groupLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0, true); // (0000,0000) in implicit VR: group, element
  view.setUint32(4, 4, true);
  view.setUint32(8, groupLength, true);
  let at = 12;
  for (const element of elements) {
    view.setUint16(at, element.tag >>> 16, true);
    view.setUint16(at + 2, element.tag & 0xffff, true);
    view.setUint32(at + 4, element.value.length, true);
    out.set(element.value, at + 8);
    at += 8 + element.value.length;
  }
  return out;
}

const latin1 = new TextDecoder('latin1');

/** Decodes a command set; unknown elements are skipped, malformed ones throw {@link CommandSetError}. */
export function decodeCommandSet(bytes: Uint8Array): CommandSet {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Record<string, unknown> = {};
  let at = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) throw new CommandSetError('command set ends inside an element header');
    const tag = ((view.getUint16(at, true) << 16) | view.getUint16(at + 2, true)) >>> 0;
    const length = view.getUint32(at + 4, true);
    if (tag >>> 16 !== 0)
      throw new CommandSetError(`element ${tag.toString(16)} outside group 0000 in a command set`);
    if (at + 8 + length > bytes.length) throw new CommandSetError('command element overruns the command set');
    const value = bytes.subarray(at + 8, at + 8 + length);
    at += 8 + length;
    const field = BY_TAG.get(tag);
    if (field === undefined) continue;
    if (field.kind === 'US') {
      if (length < 2) throw new CommandSetError(`command element ${field.name} is too short`);
      fields[field.name] = new DataView(value.buffer, value.byteOffset, 2).getUint16(0, true);
    } else if (field.kind === 'AT') {
      const tags: number[] = [];
      const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
      for (let i = 0; i + 4 <= length; i += 4)
        tags.push(((v.getUint16(i, true) << 16) | v.getUint16(i + 2, true)) >>> 0);
      fields[field.name] = tags;
    } else {
      const text = latin1.decode(value).replace(/[\0 ]+$/, '');
      fields[field.name] = field.kind === 'AE' ? text.trim() : text;
    }
  }
  if (typeof fields.commandField !== 'number') throw new CommandSetError('command set without CommandField');
  if (typeof fields.commandDataSetType !== 'number') {
    throw new CommandSetError('command set without CommandDataSetType');
  }
  return fields as unknown as CommandSet;
}
