import {
  DICOM_APPLICATION_CONTEXT,
  negotiatePresentationContexts,
  PresentationContextResult,
  RejectReason,
  RejectResult,
  type AnsweredPresentationContext,
  type AssociateRequest,
  type AssociationDecision,
  type ExtendedNegotiation,
} from '@lightbox/dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '@lightbox/dicom';
import {
  acceptableTransferSyntaxes,
  isQuerySopClass,
  isStorageSopClass,
  ServiceSopClass,
} from './sop-classes.js';

/** Who may associate, as configured (issue #3 §4). */
export interface AssociationPolicy {
  /** Our AE title: the Called AE Title must match it. */
  aeTitle: string;
  /** Most associations open at once; more are rejected as "local limit exceeded". */
  maxAssociations: number;
  /** Query/retrieve contexts are accepted from any calling AE, not only from registered nodes. */
  queryFromAnyAe: boolean;
  /** Storage contexts are accepted from any calling AE, not only from registered nodes. */
  storeFromAnyAe: boolean;
  /**
   * Modality Worklist and MPPS contexts are accepted from any calling AE, not only from registered nodes
   * (default on, as modalities are rarely registered before their first exam; see docs/security.md).
   */
  worklistFromAnyAe: boolean;
  /**
   * Query/retrieve only for associations that negotiated a user identity, so that every query is held
   * to a person's study-level access (otherwise a registered AE acts as a DICOM node and sees everything).
   */
  queryRequiresUserIdentity: boolean;
  /** Vendors' private storage SOP classes accepted like the standard ones (e.g. Siemens CSA Non-Image). */
  privateStorageSopClasses: ReadonlySet<string>;
  /** A calling AE is its registered node only from that node's host (config `dicom.checkNodeAddress`). */
  checkNodeAddress?: boolean;
}

/** What is known of the requestor before deciding. */
export interface Requestor {
  /** The calling AE title is a registered node. */
  registered: boolean;
  /** The calling AE title is one of the department's modality stations (worklist and MPPS only). */
  station?: boolean;
  /** A user identity was negotiated and verified: the association acts as that user. */
  identified: boolean;
}

/**
 * Decides an A-ASSOCIATE-RQ (PS3.8 §9.3.2): the protocol version, the application context and the called
 * AE title are checked, then each presentation context is answered. The asynchronous operations window is
 * answered 1/1 (PS3.7 D.3.3.3): operations run one at a time.
 */
export function decideAssociation(
  request: AssociateRequest,
  policy: AssociationPolicy,
  openAssociations: number,
  requestor: Requestor,
): AssociationDecision {
  const reject = (reason: { source: number; reason: number }, result: number = RejectResult.Permanent) => ({
    accept: false as const,
    reject: { result, ...reason },
  });
  if ((request.protocolVersion & 0x0001) === 0) return reject(RejectReason.ProtocolVersionNotSupported);
  if (request.applicationContext !== DICOM_APPLICATION_CONTEXT)
    return reject(RejectReason.ApplicationContextNotSupported);
  if (request.calledAeTitle !== policy.aeTitle) return reject(RejectReason.CalledAeNotRecognized);
  if (openAssociations > policy.maxAssociations) {
    return reject(RejectReason.LocalLimitExceeded, RejectResult.Transient);
  }
  const mayQuery =
    requestor.identified ||
    (!policy.queryRequiresUserIdentity && (requestor.registered || policy.queryFromAnyAe));
  const mayStore = requestor.identified || requestor.registered || policy.storeFromAnyAe;
  const mayUseWorklist =
    requestor.identified || requestor.registered || requestor.station === true || policy.worklistFromAnyAe;
  const privateStorage = policy.privateStorageSopClasses;
  const contexts = negotiatePresentationContexts(request.presentationContexts, (abstractSyntax) =>
    acceptableTransferSyntaxes(abstractSyntax, privateStorage),
  ).map((context) => {
    const abstractSyntax =
      request.presentationContexts.find((p) => p.id === context.id)?.abstractSyntax ?? '';
    const allowed = isStorageSopClass(abstractSyntax, privateStorage)
      ? mayStore
      : isQuerySopClass(abstractSyntax)
        ? mayQuery
        : abstractSyntax === ServiceSopClass.ModalityWorklistFind ||
            abstractSyntax === ServiceSopClass.ModalityPerformedProcedureStep
          ? mayUseWorklist
          : true;
    // PS3.8 §9.3.3.2 result 1, user rejection: the service exists but this AE may not use it.
    return allowed ? context : { ...context, result: PresentationContextResult.UserRejection };
  });
  return {
    accept: true,
    answer: {
      calledAeTitle: request.calledAeTitle,
      callingAeTitle: request.callingAeTitle,
      presentationContexts: contexts,
      user: {
        maxLength: 0, // set by the association to the limit it enforces
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        ...(request.user.asyncOperations !== undefined
          ? { asyncOperations: { invoked: 1, performed: 1 } }
          : {}),
        // C-GET: the requestor takes the SCP role for the storage classes it names (PS3.7 D.3.3.4); we agree.
        roles: request.user.roles
          .filter((role) => isStorageSopClass(role.sopClassUid, privateStorage))
          .map((role) => ({ sopClassUid: role.sopClassUid, scu: role.scu, scp: role.scp })),
        extendedNegotiation: relationalAnswers(request, contexts),
      },
    },
  };
}

/**
 * SOP Class Extended Negotiation for query/retrieve (PS3.4 C.3.4, Tables C.3-1 to C.3-4): relational
 * queries and retrievals are agreed to when asked for — C-FIND matches any keys at any level, and C-MOVE
 * and C-GET select by the same query, without the unique keys of the levels above. The other options
 * (combined date-time matching, fuzzy semantic matching of names, timezone adjustment, enhanced
 * multi-frame conversion) are answered 0, not supported. The answer has as many bytes as the request.
 */
function relationalAnswers(
  request: AssociateRequest,
  contexts: readonly AnsweredPresentationContext[],
): ExtendedNegotiation[] {
  const accepted = new Set(
    contexts
      .filter((c) => c.result === PresentationContextResult.Acceptance)
      .map((c) => request.presentationContexts.find((p) => p.id === c.id)?.abstractSyntax),
  );
  return request.user.extendedNegotiation
    .filter((item) => isQuerySopClass(item.sopClassUid) && accepted.has(item.sopClassUid))
    .map((item) => {
      const info = new Uint8Array(Math.max(1, item.info.length));
      info[0] = item.info[0] === 1 ? 1 : 0;
      return { sopClassUid: item.sopClassUid, info };
    });
}
