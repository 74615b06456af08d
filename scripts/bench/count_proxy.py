#!/usr/bin/env python3
"""An HTTP CONNECT proxy that counts the bytes each tool moves, for lock-bytes.sh.

Both skua and uv honour HTTPS_PROXY and tunnel TLS through CONNECT, so the counts are
bytes on the wire (TLS included) in each direction, whatever HTTP version runs inside.
Usage: count_proxy.py PORT_FILE COUNT_FILE. It writes the port it listens on to
PORT_FILE, and on SIGTERM writes `connections bytes_down bytes_up` to COUNT_FILE.
"""

import asyncio
import signal
import sys

counts = {"connections": 0, "down": 0, "up": 0}


async def pipe(reader, writer, key):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            counts[key] += len(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(client_reader, client_writer):
    try:
        request = await client_reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        client_writer.close()
        return
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _ = line.split(" ", 2)
    if method != "CONNECT":
        client_writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
        client_writer.close()
        return
    host, _, port = target.rpartition(":")
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
    except OSError:
        client_writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        client_writer.close()
        return
    counts["connections"] += 1
    client_writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    await client_writer.drain()
    await asyncio.gather(
        pipe(client_reader, upstream_writer, "up"),
        pipe(upstream_reader, client_writer, "down"),
    )


async def main(port_file, count_file):
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    with open(port_file, "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    with open(count_file, "w") as f:
        f.write(f"{counts['connections']} {counts['down']} {counts['up']}\n")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
