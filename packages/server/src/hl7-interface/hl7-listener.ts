import type tls from 'node:tls';
import { startMllpServer, type MllpServer } from '@lightbox/hl7';
import { hl7SenderCheck } from './hl7-senders.js';
import { receiveHl7Message, type Hl7InterfaceDeps } from './receive-hl7-message.js';

/**
 * Opens the HL7 v2 MLLP listener (runtime contract: LIGHTBOX_HL7_PORT; LIGHTBOX_HL7_TLS_PORT with TLS).
 * Connections stay open between messages; each connection's messages are applied one after another.
 */
export function startHl7Listener(
  deps: Hl7InterfaceDeps,
  host: string,
  port: number,
  tlsOptions?: tls.TlsOptions,
  allowedSenders?: readonly string[],
): Promise<MllpServer> {
  const acceptsSender = hl7SenderCheck(allowedSenders);
  return startMllpServer({
    host,
    port,
    ...(tlsOptions !== undefined ? { tls: tlsOptions } : {}),
    ...(acceptsSender !== undefined ? { acceptsSender } : {}),
    onMessage: (payload, connection) =>
      receiveHl7Message(payload, { address: connection.remoteAddress, tls: connection.tls }, deps),
    onProblem: (problem) =>
      deps.logger.info(
        {
          kind: problem.kind,
          peer: problem.connection.remoteAddress,
          bytes: problem.bytes,
          err: problem.error,
        },
        'HL7 connection problem',
      ),
  });
}
