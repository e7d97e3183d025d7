#!/usr/bin/env python3
"""Campaign benchmark of the release server (./scripts/bench-campaigns).

Starts target/release/ringside-server on a fresh database on loopback and
prints figures, never asserts them:

1. Import of N records (default 100,000) as CSV through the admin API:
   seconds, and the server's peak resident memory (VmHWM) before and after.
   While it runs, one agent sends set_status commands on its WebSocket as
   fast as acks come back; the p50/p99 ack time during the import is
   printed beside the same agent's ack time with the server idle (the floor
   measured in the same run).
   The import's publish is one transaction on the owner thread: the
   maximum ack shows that pause.
2. Time from mark_done to the next preview on the agent's socket, over a
   number of records, with the list holding the imported records; run it
   with --records 1000 and --records 100000 to compare.

Standard library only: the WebSocket client below speaks just what the
server needs (text frames, masked, no extensions).
"""

import argparse
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("RINGSIDE_SERVER_BIN", os.path.join(ROOT, "target/release/ringside-server"))


class Socket:
    """A minimal WebSocket client: text frames in and out."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(head.decode())

    def send(self, message):
        data = json.dumps(message).encode()
        mask = os.urandom(4)
        length = len(data)
        if length < 126:
            header = struct.pack("!BB", 0x81, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("socket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv(self):
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read(8))
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x9:  # ping: answer with a pong
                self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | len(payload)) + b"\0\0\0\0" + payload)
            if opcode == 0x8:
                raise EOFError("closed by the server")


class Agent:
    def __init__(self, port, token):
        self.ws = Socket(port)
        self.ws.send({"hello": {"token": token, "resume": None, "protocol": 1}})
        self.events = []
        self.next_id = 0
        while "welcome" not in self.ws.recv():
            pass

    def command(self, kind):
        """Sends a command; returns (seconds to its answer, the answer)."""
        self.next_id += 1
        cid = f"b{self.next_id}"
        start = time.perf_counter()
        self.ws.send({"command": {"id": cid, "kind": kind}})
        while True:
            message = self.ws.recv()
            answer = message.get("ack") or message.get("nack")
            if answer and answer.get("id") == cid:
                return time.perf_counter() - start, message
            if "event" in message:
                self.events.append(message["event"])

    def preview(self, timeout=30):
        """Waits for the next outbound_changed event with a previewing record."""
        deadline = time.monotonic() + timeout
        while True:
            while self.events:
                event = self.events.pop(0)
                kind = event.get("kind")
                if isinstance(kind, dict) and "outbound_changed" in kind:
                    work = kind["outbound_changed"]["work"]
                    if work["record"]["status"] == "previewing":
                        return work
            if time.monotonic() > deadline:
                raise TimeoutError("no preview")
            message = self.ws.recv()
            if "event" in message:
                self.events.append(message["event"])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def http(port, method, path, token, body=None, content_type="application/json"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read() or b"null")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cycles", type=int, default=200, help="mark_done to next preview measurements")
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} is missing: cargo build --release -p ringside-server")
    folder = tempfile.mkdtemp(prefix="ringside-bench-campaigns-")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = os.path.join(folder, "config.toml")
    with open(config, "w") as f:
        f.write(f'listen = "127.0.0.1:{port}"\ndatabase = "{folder}/ringside.db"\ntoken_secret = "bench-{os.getpid()}-secret-long-enough-0123456789"\n'
                f'log_level = "warn"\n[limits]\ncommands_per_second = 100000.0\ncommand_burst = 100000.0\nmax_import_bytes = 1073741824\n')
    server = subprocess.Popen([BINARY, "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = lambda user, role: subprocess.check_output([BINARY, "--config", config, "token", "--user", user, "--role", role]).decode().strip()
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        admin = token("admin", "admin")
        campaign = {"name": "Bench", "agents": ["ana"], "reschedule_before_dial": True, "fields": ["plan"]}
        http(port, "PUT", "/admin/campaigns/bench", admin, json.dumps(campaign).encode())
        rows = "".join(f"Contact {n},+46 8 {n:07d}1,+46 70 {n:07d},gold\n" for n in range(args.records))
        csv = ("name,number,chained,plan\n" + rows).encode()

        # The floor: the agent's ack time with the server idle.
        ana = Agent(port, token("ana", "agent"))
        ana.command("login")
        statuses = [{"set_status": {"status": s, "secondary": None}} for s in ("idle", "available")]
        idle = [ana.command(statuses[n % 2])[0] for n in range(400)]

        during = []
        importing = threading.Event()
        importing.set()

        def commands():
            n = 0
            while importing.is_set():
                during.append(ana.command(statuses[n % 2])[0])
                n += 1

        worker = threading.Thread(target=commands)
        rss_before = peak_rss_mb(server.pid)
        worker.start()
        start = time.perf_counter()
        imported = http(port, "POST", "/admin/campaigns/bench/records", admin, csv, "text/csv")
        seconds = time.perf_counter() - start
        importing.clear()
        worker.join()
        print(f"import: {imported['imported']} records ({len(csv) / 1e6:.1f} MB CSV) in {seconds:.2f} s "
              f"({imported['imported'] / seconds:,.0f} records/s); server peak RSS {rss_before:.0f} MB before, {peak_rss_mb(server.pid):.0f} MB after")
        print(f"acks with the server idle:   p50 {percentile(idle, 0.5):.2f} ms  p99 {percentile(idle, 0.99):.2f} ms  ({len(idle)} commands)")
        print(f"acks during the import:      p50 {percentile(during, 0.5):.2f} ms  p99 {percentile(during, 0.99):.2f} ms  max {max(during) * 1000:.1f} ms  ({len(during)} commands)")

        http(port, "POST", "/admin/campaigns/bench/start", admin, b"{}")
        ana.command({"set_status": {"status": "available", "secondary": None}})
        ana.command({"preview_media": {"media": ["voice"]}})
        work = ana.preview()
        later = int(time.time() * 1000) + 86_400_000
        gaps = []
        for _ in range(args.cycles):
            record = work["record"]["id"]
            ana.command({"accept_preview": {"record": record}})
            ana.command({"reschedule": {"record": record, "at": later, "number": None, "personal": False}})
            start = time.perf_counter()
            ana.command({"mark_done": {"record": record, "stop": False}})
            work = ana.preview()
            gaps.append(time.perf_counter() - start)
        print(f"mark_done to the next preview, {args.records} records in the list: p50 {percentile(gaps, 0.5):.2f} ms  "
              f"p99 {percentile(gaps, 0.99):.2f} ms  ({len(gaps)} records)")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
