"""An HL7 v2 receiver for tests, on python-hl7's MLLP server (Debian python3-hl7): a third-party peer.

Listens on 127.0.0.1:<port>, prints "READY" once listening, "CONNECTION" for each connection accepted,
then one JSON line per received message (the message text), and answers each with an ACK whose code is
given on the command line (AA by default). With "close" as the third argument it closes each connection
after answering one message, as some interface engines do.
"""
import asyncio
import json
import sys

import hl7
from hl7.mllp import start_hl7_server


async def main(port: int, ack_code: str, close_each: bool) -> None:
    async def on_client(reader, writer):
        print("CONNECTION", flush=True)
        try:
            while not writer.is_closing():
                message = await reader.readmessage()
                print(json.dumps(str(message)), flush=True)
                writer.writemessage(message.create_ack(ack_code))
                await writer.drain()
                if close_each:
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    async with await start_hl7_server(on_client, host="127.0.0.1", port=port, encoding="utf-8"):
        print("READY", flush=True)
        await asyncio.Event().wait()


asyncio.run(
    main(
        int(sys.argv[1]),
        sys.argv[2] if len(sys.argv) > 2 else "AA",
        len(sys.argv) > 3 and sys.argv[3] == "close",
    )
)
