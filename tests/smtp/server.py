#!/usr/bin/env python3
"""A real SMTP server for verzuim's e-mail tests: aiosmtpd (a full SMTP implementation) on
127.0.0.1, on a free port, in one of these modes:

  accept    accepts every message and records it
  refuse    answers 554 (permanent) to DATA
  tempfail  answers 451 (temporary) to RCPT, for the first --fail-first messages (0: always),
            then accepts
  slow-ack  records the message, then waits --delay seconds before its 250 (a client killed in
            that wait has handed the message over without learning so)
  hang      accepts the TCP connection and never says anything (the client times out)
  drop      greets, reads one command and closes the connection

With --tls starttls (the server offers STARTTLS and refuses mail before it) or --tls implicit
(TLS from the first byte, as on port 465), --cert and --key name the server's certificate chain
and key (PEM); the test makes them and lets the client trust its own CA.

Prints "PORT <n>" on standard output once it listens. Each recorded message is one JSON line in
--out (mail_from, rcpt_tos, message_id, subject, body, tls: whether the message came over TLS),
written and fsynced before the answer.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True,
                   choices=["accept", "refuse", "tempfail", "slow-ack", "hang", "drop"])
    p.add_argument("--out", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--delay", type=float, default=30.0)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    if args.tls != "none" and not (args.cert and args.key):
        p.error("--tls needs --cert and --key")
    asyncio.run(serve(args))


def record(path, envelope, tls):
    msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                   policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    line = json.dumps({
        "mail_from": envelope.mail_from,
        "rcpt_tos": envelope.rcpt_tos,
        "message_id": str(msg.get("Message-ID", "")),
        "subject": str(msg.get("Subject", "")),
        "body": body.get_content() if body is not None else "",
        "tls": tls,
    })
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


class Handler:
    def __init__(self, args):
        self.args = args
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.mode == "tempfail" and (
                self.args.fail_first == 0 or self.refused < self.args.fail_first):
            self.refused += 1
            return "451 4.3.0 Tijdelijk niet beschikbaar, probeer het later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.mode == "refuse":
            return "554 5.7.1 Bericht geweigerd"
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None)
        record(self.args.out, envelope, tls)
        if self.args.mode == "slow-ack":
            await asyncio.sleep(self.args.delay)
        return "250 2.0.0 Bericht aangenomen"


async def raw(reader, writer, mode):
    try:
        if mode == "hang":
            await asyncio.sleep(3600)
        else:
            writer.write(b"220 test ESMTP\r\n")
            await writer.drain()
            await reader.readline()
    finally:
        writer.close()


async def serve(args):
    loop = asyncio.get_running_loop()
    if args.mode in ("hang", "drop"):
        server = await asyncio.start_server(
            lambda r, w: raw(r, w, args.mode), "127.0.0.1", args.port)
    else:
        handler = Handler(args)
        context = None
        if args.tls != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(args.cert, args.key)
        starttls = context if args.tls == "starttls" else None
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="test.verzuim", ident="verzuim test SMTP",
                         tls_context=starttls, require_starttls=starttls is not None),
            "127.0.0.1", args.port,
            ssl=context if args.tls == "implicit" else None)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
