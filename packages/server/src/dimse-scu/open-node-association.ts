import net from 'node:net';
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

/** How long to wait for a TCP connection to a remote node. */
const CONNECT_TIMEOUT_MS = 15_000;

/** Opens an association from our AE to a registered node (the SCU side of C-MOVE, C-STORE jobs …). */
export async function openNodeAssociation(options: {
  node: DicomNode;
  callingAeTitle: string;
  contexts: ProposedPresentationContext[];
  roles?: RoleSelection[];
  logger: DimseLogger;
  onMessage?: (message: IncomingMessage, association: Association) => Promise<void>;
}): Promise<Association> {
  const { node } = options;
  if (node.tls) {
    throw new AppError(
      ErrorCode.ProcessingFailure,
      `node ${node.name} needs DICOM TLS, which is not available yet`,
    );
  }
  const socket = net.connect({ host: node.host, port: node.port, noDelay: true });
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
    socket.once('connect', () => {
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
      callingAeTitle: options.callingAeTitle,
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
