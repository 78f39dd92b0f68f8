/**
 * The reference of the HL7 throughput bench: an MLLP listener with the same framing code as Lightbox's
 * (`startMllpServer` of @lightbox/hl7: TCP_NODELAY, one message at a time per connection) that answers
 * every message with an application accept (MSA-1 AA) and does nothing else — no database, no log. It
 * parses the message and builds the ACK as any receiver must (to echo MSH-10 in MSA-2). Run as a process
 * of its own, as Lightbox is: `node ris-echo-server.js <port>`; it listens on 127.0.0.1.
 */
import {
  buildAck,
  decodeMessageBytes,
  encodeMessageText,
  parseMessage,
  startMllpServer,
} from '@lightbox/hl7';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? '0');
  let sequence = 0;
  const server = await startMllpServer({
    host: '127.0.0.1',
    port,
    async onMessage(payload) {
      const message = parseMessage(decodeMessageBytes(payload));
      const ack = buildAck(message, 'AA', { sendingApplication: 'ECHO', controlId: `E${++sequence}` });
      return encodeMessageText(ack, message.characterSet || undefined);
    },
  });
  process.stdout.write(`MLLP echo listening on port ${server.port}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`MLLP echo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
