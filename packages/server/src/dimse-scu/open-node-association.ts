import net from 'node:net';
import tls from 'node:tls';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '@lightbox/dicom';
import {
  Association,
  DICOM_APPLICATION_CONTEXT,
  type DimseLogger,
  type IncomingMessage,
  type ProposedPresentationContext,
  type RoleSelection,
} from '@lightbox/dimse';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Our side of associations we open: the calling AE title, and TLS client settings for nodes marked `tls`. */
export interface LocalAe {
  aeTitle: string;
  /** Client certificate, key and trusted CAs (from LIGHTBOX_TLS_*); absent when TLS is not configured. */
  tls?: tls.ConnectionOptions;
}

/** How long to wait for a TCP connection to a remote node. */
const CONNECT_TIMEOUT_MS = 15_000;

/** Opens an association from our AE to a registered node (the SCU side of C-MOVE, C-STORE jobs …). */
export async function openNodeAssociation(options: {
  node: DicomNode;
  local: LocalAe;
  contexts: ProposedPresentationContext[];
  roles?: RoleSelection[];
  logger: DimseLogger;
  onMessage?: (message: IncomingMessage, association: Association) => Promise<void>;
}): Promise<Association> {
  const { node } = options;
  if (node.tls && options.local.tls === undefined) {
    throw new AppError(
      ErrorCode.ProcessingFailure,
      `node ${node.name} needs DICOM TLS: set LIGHTBOX_TLS_CERT and LIGHTBOX_TLS_KEY (and LIGHTBOX_TLS_CA to trust it)`,
    );
  }
  // DICOM TLS (PS3.15 B.12): TLS 1.2 or later, the node's certificate verified against the configured CA.
  const socket = node.tls
    ? tls.connect({ host: node.host, port: node.port, minVersion: 'TLSv1.2', ...options.local.tls })
    : net.connect({ host: node.host, port: node.port, noDelay: true });
  const ready = node.tls ? 'secureConnect' : 'connect';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new AppError(
          ErrorCode.OutOfResources,
          `node ${node.name} (${node.host}:${node.port}) did not answer`,
        ),
      );
    }, CONNECT_TIMEOUT_MS);
    socket.once(ready, () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new AppError(ErrorCode.OutOfResources, `cannot reach node ${node.name}: ${error.message}`));
    });
  });
  return Association.request(
    socket,
    {
      protocolVersion: 1,
      calledAeTitle: node.aet,
      callingAeTitle: options.local.aeTitle,
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts: options.contexts,
      user: {
        maxLength: 0,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        roles: options.roles ?? [],
        extendedNegotiation: [],
      },
    },
    { logger: options.logger, ...(options.onMessage !== undefined ? { onMessage: options.onMessage } : {}) },
  );
}
