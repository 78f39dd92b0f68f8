import type { Association } from '@lightbox/dimse';
import type { TransferParticipants } from './audit-sink.js';

/**
 * The Source and Destination of the C-STOREs sent over an association (PS3.15 A.5.3.4), by the AE titles
 * it was negotiated with and the addresses of its two ends: on one Lightbox opened (C-MOVE, send jobs) it
 * is the calling AE, on one it accepted (C-GET) the called AE.
 */
export function storeParticipants(
  association: Association,
  lightboxIs: 'requestor' | 'acceptor',
): TransferParticipants {
  const { callingAeTitle = '', calledAeTitle = '' } = association.request ?? {};
  const { localAddress, remoteAddress } = association.socket;
  return {
    source: {
      aeTitle: lightboxIs === 'requestor' ? callingAeTitle : calledAeTitle,
      ...(localAddress !== undefined ? { host: localAddress } : {}),
    },
    destination: {
      aeTitle: lightboxIs === 'requestor' ? calledAeTitle : callingAeTitle,
      ...(remoteAddress !== undefined ? { host: remoteAddress } : {}),
    },
  };
}

/**
 * The Source and Destination of C-STOREs Lightbox received over an association (PS3.15 A.5.3.4): the
 * other end sent them to Lightbox, on one it accepted (a modality's C-STORE) or one it opened (the
 * sub-operations of a C-GET it asked for).
 */
export function receivedParticipants(
  association: Association,
  lightboxIs: 'requestor' | 'acceptor',
): TransferParticipants {
  const { source, destination } = storeParticipants(association, lightboxIs);
  return { source: destination, destination: source };
}
