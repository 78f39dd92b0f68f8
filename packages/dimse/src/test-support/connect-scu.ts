import net from 'node:net';
import { Association, type IncomingMessage } from '../association/association.js';
import type { ProposedPresentationContext } from '../pdu/associate-pdu.js';
import { DICOM_APPLICATION_CONTEXT } from '../pdu/pdu-type.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Opens an association as a test SCU with the given presentation contexts. */
export async function connectScu(options: {
  port: number;
  host?: string;
  calledAeTitle: string;
  callingAeTitle?: string;
  contexts: ProposedPresentationContext[];
  /** SCP/SCU role selection items to propose (PS3.7 D.3.3.4). */
  roles?: { sopClassUid: string; scu: boolean; scp: boolean }[];
  /** SOP class extended negotiation items to propose (PS3.7 D.3.3.5). */
  extendedNegotiation?: { sopClassUid: string; info: Uint8Array }[];
  /** Offered as user identity type 2 (user name and passcode, PS3.7 D.3.3.7). */
  userIdentity?: { username: string; password: string };
  onMessage?: (message: IncomingMessage, association: Association) => Promise<void>;
}): Promise<Association> {
  const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return Association.request(
    socket,
    {
      protocolVersion: 1,
      calledAeTitle: options.calledAeTitle,
      callingAeTitle: options.callingAeTitle ?? 'TEST_SCU',
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts: options.contexts,
      user: {
        maxLength: 0,
        implementationClassUid: '1.2.826.0.1.3680043.10.1',
        implementationVersionName: 'TEST_SCU',
        roles: options.roles ?? [],
        extendedNegotiation: options.extendedNegotiation ?? [],
        ...(options.userIdentity !== undefined
          ? {
              userIdentity: {
                type: 2,
                positiveResponseRequested: false,
                primaryField: new TextEncoder().encode(options.userIdentity.username),
                secondaryField: new TextEncoder().encode(options.userIdentity.password),
              },
            }
          : {}),
      },
    },
    { logger: quiet, ...(options.onMessage !== undefined ? { onMessage: options.onMessage } : {}) },
  );
}
