"""A small LRS stand-in on loopback for the forwarding tests: it answers each POST with the next
status it is told to (200 once the list runs out) and keeps what it was sent."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``statuses``: the answers to give, in order; ``received``: (status given, headers, body)."""

    def __init__(self, statuses: list[int] | None = None, answer_for=None, delay: float = 0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        # Optional: a function of the posted statements giving the status (overrides ``statuses``).
        self.answer_for = answer_for
        self.received: list[tuple[int, dict, bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(receiver.delay)
                with receiver.lock:
                    if receiver.answer_for is not None:
                        status = receiver.answer_for(body)
                    else:
                        status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append((status, dict(self.headers), body))
                answer = b"[]" if status == 200 else json.dumps({"error": f"refused with {status}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def batches(self, status: int | None = 200) -> list[list[dict]]:
        """The statements of each POST answered ``status`` (every POST for None)."""
        with self.lock:
            return [json.loads(body) for given, _, body in self.received if status is None or given == status]

    def delivered_ids(self) -> list[str]:
        return [s["id"] for batch in self.batches(200) for s in batch]

    def credentials(self) -> set[str]:
        with self.lock:
            return {base64.b64decode(h["Authorization"].split()[1]).decode() for _, h, _ in self.received}
