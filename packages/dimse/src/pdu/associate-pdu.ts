/**
 * A-ASSOCIATE-RQ and A-ASSOCIATE-AC PDUs (PS3.8 §9.3.2, §9.3.3) with their items and the user information
 * sub-items of PS3.7 Annex D.3.3.
 */
import {
  aeTitleBytes,
  aeTitleText,
  asciiBytes,
  ByteBuilder,
  ByteCursor,
  pdu,
  uidText,
} from './byte-cursor.js';
import { PduError } from './pdu-error.js';
import {
  AbortReason,
  PduType,
  PresentationContextResult,
  type PresentationContextResultValue,
} from './pdu-type.js';

/** Item types (PS3.8 Tables 9-12 to 9-18; PS3.7 Annex D.3.3). */
const Item = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaxLength: 0x51,
  ImplementationClassUid: 0x52,
  AsyncOperationsWindow: 0x53,
  RoleSelection: 0x54,
  ImplementationVersionName: 0x55,
  SopClassExtendedNegotiation: 0x56,
  SopClassCommonExtendedNegotiation: 0x57,
  UserIdentityRq: 0x58,
  UserIdentityAc: 0x59,
} as const;

/** A presentation context as proposed by the requestor. */
export interface ProposedPresentationContext {
  /** Odd number 1–255. */
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** A presentation context as answered by the acceptor. */
export interface AnsweredPresentationContext {
  id: number;
  result: PresentationContextResultValue;
  /** The transfer syntax chosen; meaningless unless accepted. */
  transferSyntax: string;
}

/** SCP/SCU role selection for one SOP class (PS3.7 Annex D.3.3.4). */
export interface RoleSelection {
  sopClassUid: string;
  scu: boolean;
  scp: boolean;
}

/** SOP class extended negotiation (PS3.7 Annex D.3.3.5): service-class application information. */
export interface ExtendedNegotiation {
  sopClassUid: string;
  info: Uint8Array;
}

/** User identity negotiation request (PS3.7 Annex D.3.3.7). */
export interface UserIdentityRequest {
  /** 1 username, 2 username and passcode, 3 Kerberos, 4 SAML, 5 JWT. */
  type: number;
  positiveResponseRequested: boolean;
  primaryField: Uint8Array;
  secondaryField: Uint8Array;
}

/** The user information item (PS3.8 §9.3.2.3, PS3.7 Annex D.3.3). */
export interface UserInformation {
  /** Largest P-DATA-TF body the sender will receive; 0 means no limit. */
  maxLength: number;
  implementationClassUid: string;
  implementationVersionName?: string;
  asyncOperations?: { invoked: number; performed: number };
  roles: RoleSelection[];
  extendedNegotiation: ExtendedNegotiation[];
  userIdentity?: UserIdentityRequest;
  /** Server response of a positive user identity answer (A-ASSOCIATE-AC only). */
  userIdentityResponse?: Uint8Array;
}

/** An A-ASSOCIATE-RQ. */
export interface AssociateRequest {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: ProposedPresentationContext[];
  user: UserInformation;
}

/** An A-ASSOCIATE-AC. */
export interface AssociateAccept {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  presentationContexts: AnsweredPresentationContext[];
  user: UserInformation;
}

function item(type: number, body: Uint8Array): Uint8Array {
  return new ByteBuilder().uint8(type).uint8(0).uint16(body.length).bytes(body).build();
}

function uidItem(type: number, uid: string): Uint8Array {
  return item(type, asciiBytes(uid));
}

function encodeUserInformation(user: UserInformation): Uint8Array {
  const body = new ByteBuilder();
  body.bytes(item(Item.MaxLength, new ByteBuilder().uint32(user.maxLength).build()));
  body.bytes(uidItem(Item.ImplementationClassUid, user.implementationClassUid));
  if (user.asyncOperations !== undefined) {
    const window = new ByteBuilder()
      .uint16(user.asyncOperations.invoked)
      .uint16(user.asyncOperations.performed);
    body.bytes(item(Item.AsyncOperationsWindow, window.build()));
  }
  for (const role of user.roles) {
    const uid = asciiBytes(role.sopClassUid);
    const value = new ByteBuilder()
      .uint16(uid.length)
      .bytes(uid)
      .uint8(role.scu ? 1 : 0)
      .uint8(role.scp ? 1 : 0);
    body.bytes(item(Item.RoleSelection, value.build()));
  }
  if (user.implementationVersionName !== undefined) {
    body.bytes(item(Item.ImplementationVersionName, asciiBytes(user.implementationVersionName.slice(0, 16))));
  }
  for (const extended of user.extendedNegotiation) {
    const uid = asciiBytes(extended.sopClassUid);
    const value = new ByteBuilder().uint16(uid.length).bytes(uid).bytes(extended.info);
    body.bytes(item(Item.SopClassExtendedNegotiation, value.build()));
  }
  if (user.userIdentity !== undefined) {
    const identity = user.userIdentity;
    const value = new ByteBuilder()
      .uint8(identity.type)
      .uint8(identity.positiveResponseRequested ? 1 : 0)
      .uint16(identity.primaryField.length)
      .bytes(identity.primaryField)
      .uint16(identity.secondaryField.length)
      .bytes(identity.secondaryField);
    body.bytes(item(Item.UserIdentityRq, value.build()));
  }
  if (user.userIdentityResponse !== undefined) {
    const value = new ByteBuilder().uint16(user.userIdentityResponse.length).bytes(user.userIdentityResponse);
    body.bytes(item(Item.UserIdentityAc, value.build()));
  }
  return item(Item.UserInformation, body.build());
}

function associateHeader(protocolVersion: number, called: string, calling: string): ByteBuilder {
  return new ByteBuilder()
    .uint16(protocolVersion)
    .uint16(0)
    .bytes(aeTitleBytes(called))
    .bytes(aeTitleBytes(calling))
    .bytes(new Uint8Array(32));
}

/** Encodes an A-ASSOCIATE-RQ PDU. */
export function encodeAssociateRequest(request: AssociateRequest): Uint8Array {
  const body = associateHeader(request.protocolVersion, request.calledAeTitle, request.callingAeTitle);
  body.bytes(uidItem(Item.ApplicationContext, request.applicationContext));
  for (const context of request.presentationContexts) {
    const value = new ByteBuilder().uint8(context.id).uint8(0).uint8(0).uint8(0);
    value.bytes(uidItem(Item.AbstractSyntax, context.abstractSyntax));
    for (const syntax of context.transferSyntaxes) value.bytes(uidItem(Item.TransferSyntax, syntax));
    body.bytes(item(Item.PresentationContextRq, value.build()));
  }
  body.bytes(encodeUserInformation(request.user));
  return pdu(PduType.AssociateRequest, body.build());
}

/** Encodes an A-ASSOCIATE-AC PDU. */
export function encodeAssociateAccept(accept: AssociateAccept): Uint8Array {
  const body = associateHeader(accept.protocolVersion, accept.calledAeTitle, accept.callingAeTitle);
  body.bytes(uidItem(Item.ApplicationContext, accept.applicationContext));
  for (const context of accept.presentationContexts) {
    const value = new ByteBuilder().uint8(context.id).uint8(0).uint8(context.result).uint8(0);
    // PS3.8 §9.3.3.2: the transfer syntax sub-item is present but not significant when not accepted.
    value.bytes(uidItem(Item.TransferSyntax, context.transferSyntax));
    body.bytes(item(Item.PresentationContextAc, value.build()));
  }
  body.bytes(encodeUserInformation(accept.user));
  return pdu(PduType.AssociateAccept, body.build());
}

interface ItemHeader {
  type: number;
  body: ByteCursor;
}

function* items(cursor: ByteCursor, what: string): Generator<ItemHeader> {
  while (cursor.remaining > 0) {
    const type = cursor.uint8(`${what} item type`);
    cursor.skip(1, `${what} item`);
    const length = cursor.uint16(`${what} item length`);
    const start = cursor.position;
    cursor.skip(length, `${what} item 0x${type.toString(16)}`);
    yield { type, body: new ByteCursor(cursor.bytes, start, start + length) };
  }
}

function rest(cursor: ByteCursor): Uint8Array {
  return cursor.take(cursor.remaining, 'value');
}

function decodeUserInformation(cursor: ByteCursor): UserInformation {
  const user: UserInformation = {
    maxLength: 0,
    implementationClassUid: '',
    roles: [],
    extendedNegotiation: [],
  };
  for (const sub of items(cursor, 'user information')) {
    const body = sub.body;
    switch (sub.type) {
      case Item.MaxLength:
        user.maxLength = body.uint32('maximum length');
        break;
      case Item.ImplementationClassUid:
        user.implementationClassUid = uidText(rest(body));
        break;
      case Item.ImplementationVersionName:
        user.implementationVersionName = uidText(rest(body));
        break;
      case Item.AsyncOperationsWindow:
        user.asyncOperations = {
          invoked: body.uint16('operations invoked'),
          performed: body.uint16('operations performed'),
        };
        break;
      case Item.RoleSelection: {
        const uid = uidText(body.take(body.uint16('role UID length'), 'role UID'));
        user.roles.push({
          sopClassUid: uid,
          scu: body.uint8('SCU role') === 1,
          scp: body.uint8('SCP role') === 1,
        });
        break;
      }
      case Item.SopClassExtendedNegotiation: {
        const uid = uidText(body.take(body.uint16('SOP class UID length'), 'SOP class UID'));
        user.extendedNegotiation.push({ sopClassUid: uid, info: rest(body).slice() });
        break;
      }
      case Item.UserIdentityRq: {
        const type = body.uint8('user identity type');
        const positiveResponseRequested = body.uint8('positive response requested') === 1;
        const primaryField = body.take(body.uint16('primary field length'), 'primary field').slice();
        const secondaryLength = body.remaining >= 2 ? body.uint16('secondary field length') : 0;
        const secondaryField = body.take(secondaryLength, 'secondary field').slice();
        user.userIdentity = { type, positiveResponseRequested, primaryField, secondaryField };
        break;
      }
      case Item.UserIdentityAc:
        user.userIdentityResponse = body
          .take(body.uint16('server response length'), 'server response')
          .slice();
        break;
      default:
        // Common extended negotiation (0x57) and unknown sub-items are not used; PS3.7 D.3.3 lets us ignore them.
        break;
    }
  }
  return user;
}

interface AssociateCommon {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContext: string;
  user: UserInformation | undefined;
}

function decodeAssociateCommon(
  body: Uint8Array,
  onContext: (type: number, cursor: ByteCursor) => void,
): AssociateCommon {
  const cursor = new ByteCursor(body);
  const protocolVersion = cursor.uint16('protocol version');
  cursor.skip(2, 'reserved');
  const calledAeTitle = aeTitleText(cursor.take(16, 'called AE title'));
  const callingAeTitle = aeTitleText(cursor.take(16, 'calling AE title'));
  cursor.skip(32, 'reserved');
  let applicationContext = '';
  let user: UserInformation | undefined;
  for (const entry of items(cursor, 'associate')) {
    if (entry.type === Item.ApplicationContext) applicationContext = uidText(rest(entry.body));
    else if (entry.type === Item.UserInformation) user = decodeUserInformation(entry.body);
    else onContext(entry.type, entry.body);
  }
  return { protocolVersion, calledAeTitle, callingAeTitle, applicationContext, user };
}

/** Decodes the body of an A-ASSOCIATE-RQ PDU. */
export function decodeAssociateRequest(body: Uint8Array): AssociateRequest {
  const presentationContexts: ProposedPresentationContext[] = [];
  const common = decodeAssociateCommon(body, (type, cursor) => {
    if (type !== Item.PresentationContextRq) {
      throw new PduError(
        `unexpected item 0x${type.toString(16)} in A-ASSOCIATE-RQ`,
        AbortReason.UnexpectedPduParameter,
      );
    }
    const id = cursor.uint8('presentation context ID');
    cursor.skip(3, 'reserved');
    const context: ProposedPresentationContext = { id, abstractSyntax: '', transferSyntaxes: [] };
    for (const sub of items(cursor, 'presentation context')) {
      if (sub.type === Item.AbstractSyntax) context.abstractSyntax = uidText(rest(sub.body));
      else if (sub.type === Item.TransferSyntax) context.transferSyntaxes.push(uidText(rest(sub.body)));
    }
    presentationContexts.push(context);
  });
  if (common.user === undefined) throw new PduError('A-ASSOCIATE-RQ without user information');
  return { ...common, user: common.user, presentationContexts };
}

/** Decodes the body of an A-ASSOCIATE-AC PDU. */
export function decodeAssociateAccept(body: Uint8Array): AssociateAccept {
  const presentationContexts: AnsweredPresentationContext[] = [];
  const common = decodeAssociateCommon(body, (type, cursor) => {
    if (type !== Item.PresentationContextAc) {
      throw new PduError(
        `unexpected item 0x${type.toString(16)} in A-ASSOCIATE-AC`,
        AbortReason.UnexpectedPduParameter,
      );
    }
    const id = cursor.uint8('presentation context ID');
    cursor.skip(1, 'reserved');
    const result = cursor.uint8('presentation context result') as PresentationContextResultValue;
    cursor.skip(1, 'reserved');
    let transferSyntax = '';
    for (const sub of items(cursor, 'presentation context')) {
      if (sub.type === Item.TransferSyntax) transferSyntax = uidText(rest(sub.body));
    }
    presentationContexts.push({ id, result, transferSyntax });
  });
  if (common.user === undefined) throw new PduError('A-ASSOCIATE-AC without user information');
  return { ...common, user: common.user, presentationContexts };
}

/** True when the context was accepted. */
export function isAccepted(context: AnsweredPresentationContext): boolean {
  return context.result === PresentationContextResult.Acceptance;
}
