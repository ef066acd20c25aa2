#!/usr/bin/env python3
"""Trivial asyncio policy server ("action=DUNNO" for every request), the
reference the issue's figures were measured with.
Usage: dunno_server.py unix:/path | inet:127.0.0.1:PORT"""
import asyncio
import sys


async def handle(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\n\n")
            writer.write(b"action=DUNNO\n\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(target):
    if target.startswith("unix:"):
        server = await asyncio.start_unix_server(handle, path=target[5:])
    else:
        host, port = target[5:].rsplit(":", 1)
        server = await asyncio.start_server(handle, host, int(port))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
