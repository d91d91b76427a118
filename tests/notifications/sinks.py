"""Real servers on loopback standing in for the world: an SMTP server (aiosmtpd) that keeps what it gets,
one that accepts connections and never answers, a port where nothing listens, and an HTTP server that
plays WeCom, DingTalk and the SMS gateway and checks what they would check (JSON shape, DingTalk's
signature, the SMS gateway's HMAC)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections import Counter
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

DINGTALK_SECRET = "SEC0123456789abcdef"
SMS_KEY, SMS_SECRET = "gateway-key", "gateway-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd on a free port; `messages` are the parsed emails, in arrival order."""

    def __init__(self, port: int | None = None):
        self.messages = []
        self.lock = threading.Lock()
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def count_by_message_id(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)


class HangingServer:
    """Accepts TCP connections and never says a word (a mail server that is stuck)."""

    def __init__(self):
        self.port = free_port()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(50)
        self.sock.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def start(self) -> HangingServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        for conn in self.held:
            conn.close()
        self.sock.close()


def dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class WebhookSink:
    """WeCom (/cgi-bin/webhook/send?key=K), DingTalk (/robot/send?access_token=T) and an SMS gateway (/sms)
    on one ThreadingHTTPServer. Each request is checked the way the real service would and recorded;
    `mode` makes it answer with an error code, a 500, or not at all within the client's timeout."""

    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.requests: list[dict] = []
        self.refused: list[dict] = []
        self.mode = "ok"  # ok | errcode | http500 | slow
        self.delay = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, service: str, token: str = "robot-key") -> str:
        if service == "wecom":
            return f"{self.base}/cgi-bin/webhook/send?key={token}"
        if service == "dingtalk":
            return f"{self.base}/robot/send?access_token={token}"
        return f"{self.base}/sms"

    def of(self, service: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["service"] == service]

    def start(self) -> WebhookSink:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def _check(self, service: str, query: dict, headers, raw: bytes) -> tuple[int, dict]:
        """(HTTP status, JSON answer) as the real service would give them, or a refusal."""
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return 400, {"errcode": 40001, "errmsg": "invalid json"}
        if service == "wecom":
            if "key" not in query:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            kind = body.get("msgtype")
            if kind not in ("text", "markdown") or not isinstance(body.get(kind, {}).get("content"), str):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            if len(body[kind]["content"].encode()) > (2048 if kind == "text" else 4096):
                return 200, {"errcode": 45002, "errmsg": "content exceed max length"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if service == "dingtalk":
            if "access_token" not in query:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            timestamp, sign = query.get("timestamp"), query.get("sign")
            if not timestamp or not sign or sign != dingtalk_sign(DINGTALK_SECRET, timestamp):
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
            if abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
                return 200, {"errcode": 310000, "errmsg": "timestamp expired"}
            if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
                return 200, {"errcode": 40035, "errmsg": "invalid msgtype"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        # the SMS gateway of the README's contract
        if headers.get("X-Api-Key") != SMS_KEY:
            return 401, {"code": 401, "message": "unknown key"}
        timestamp = headers.get("X-Timestamp") or ""
        expected = hmac.new(SMS_SECRET.encode(), timestamp.encode() + b"\n" + raw, hashlib.sha256).hexdigest()
        if headers.get("X-Signature") != expected:
            return 401, {"code": 401, "message": "bad signature"}
        missing = [k for k in ("client_msg_id", "mobile", "template_id", "params", "text") if k not in body]
        if missing:
            return 200, {"code": 400, "message": f"missing {missing}"}
        return 200, {"code": 0, "message_id": f"m-{body['client_msg_id']}"}

    def _handler(self):
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server's hook name
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                service = {"/cgi-bin/webhook/send": "wecom", "/robot/send": "dingtalk", "/sms": "sms"}.get(parsed.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if sink.mode == "slow":
                    time.sleep(sink.delay)
                status, answer = (
                    (404, {"errcode": 404}) if service is None else sink._check(service, query, self.headers, raw)
                )
                if sink.mode == "errcode" and status == 200:
                    answer = {"errcode": 45009, "errmsg": "api freq out of limit", "code": 45009}
                if sink.mode == "http500":
                    status, answer = 500, {"errmsg": "server error"}
                record = {"service": service, "query": query, "body": json.loads(raw or b"null"), "answer": answer}
                with sink.lock:
                    (
                        sink.requests
                        if status == 200 and answer.get("errcode", answer.get("code")) == 0
                        else sink.refused
                    ).append(record)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

        return Handler
