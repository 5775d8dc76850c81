#!/usr/bin/env python3
"""receivers.py - local receivers for the notify tests: HTTP webhook, SMTP server, unix datagram syslog.

Python 3 standard library only; everything listens on 127.0.0.1 (ports chosen by the kernel) or on
a socket file in DIR, and everything received is appended as one JSON object per line to
DIR/http.jsonl, DIR/smtp.jsonl and DIR/syslog.jsonl. When all three listen, DIR/ports.json says
{"http": PORT, "smtp": PORT, "syslog": PATH}. Runs until killed.

  receivers.py DIR [--http-script 500,500,200,429:1] [--smtp-auth USER:PASS]

--http-script: the status of the first POSTs, in order ("429:N" adds Retry-After: N); once used
up, every POST gets 200. A POST whose finding has rule "test.reject400" always gets 400.
--smtp-auth: offer AUTH PLAIN and accept only these credentials (recorded as auth_ok).
The SMTP server offers no STARTTLS, so a client with starttls "try" stays in plain text.
"""
import argparse
import base64
import json
import os
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()


def record(path, obj):
    with lock:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(obj) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--http-script", default="")
    ap.add_argument("--smtp-auth", default="")
    args = ap.parse_args()
    d = args.dir
    script = [s for s in args.http_script.split(",") if s]

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            try:
                rule = json.loads(body).get("rule")
            except ValueError:
                rule = None
            retry_after = None
            with lock:
                step = script.pop(0) if script else "200"
            if rule == "test.reject400":
                step = "400"
            if ":" in step:
                step, retry_after = step.split(":", 1)
            status = int(step)
            record(os.path.join(d, "http.jsonl"), {
                "time": time.time(), "path": self.path, "status": status,
                "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    http.daemon_threads = True

    user, _, password = args.smtp_auth.partition(":")

    class Smtp(socketserver.StreamRequestHandler):
        def say(self, line):
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def readline(self):
            line = self.rfile.readline(65536)
            if not line:
                raise EOFError
            return line.decode("utf-8", "replace").rstrip("\r\n")

        def check_plain(self, b64):
            try:
                parts = base64.b64decode(b64).split(b"\0")
                return len(parts) == 3 and parts[1].decode() == user and parts[2].decode() == password
            except ValueError:
                return False

        def handle(self):
            msg = {"auth_ok": False, "rcpt": []}
            self.say("220 localhost ESMTP secscore-test")
            try:
                while True:
                    line = self.readline()
                    cmd = line.split(" ", 1)[0].upper()
                    arg = line[len(cmd):].strip()
                    if cmd in ("EHLO", "HELO"):
                        ext = ["localhost", "8BITMIME", "SIZE 10000000"]
                        if args.smtp_auth:
                            ext.append("AUTH PLAIN")
                        for e in ext[:-1]:
                            self.say("250-" + e)
                        self.say("250 " + ext[-1])
                    elif cmd == "AUTH":
                        mech, _, ir = arg.partition(" ")
                        if mech.upper() != "PLAIN" or not args.smtp_auth:
                            self.say("504 unsupported")
                            continue
                        if not ir:
                            self.say("334 ")
                            ir = self.readline()
                        msg["auth_ok"] = self.check_plain(ir)
                        self.say("235 ok" if msg["auth_ok"] else "535 bad credentials")
                    elif cmd == "MAIL":
                        if args.smtp_auth and not msg["auth_ok"]:
                            self.say("530 authentication required")
                            continue
                        msg["mail_from"] = arg.split(":", 1)[1].split()[0] if ":" in arg else arg
                        msg["rcpt"] = []
                        self.say("250 ok")
                    elif cmd == "RCPT":
                        msg["rcpt"].append(arg.split(":", 1)[1].strip() if ":" in arg else arg)
                        self.say("250 ok")
                    elif cmd == "DATA":
                        self.say("354 go ahead")
                        lines = []
                        while True:
                            raw = self.rfile.readline(1 << 20)
                            if not raw:
                                raise EOFError
                            if raw in (b".\r\n", b".\n"):
                                break
                            if raw.startswith(b".."):
                                raw = raw[1:]
                            lines.append(raw)
                        data = b"".join(lines)
                        record(os.path.join(d, "smtp.jsonl"), {
                            "time": time.time(), "mail_from": msg.get("mail_from"), "rcpt": msg["rcpt"],
                            "auth_ok": msg["auth_ok"], "data": data.decode("utf-8", "replace")})
                        self.say("250 queued")
                    elif cmd == "RSET":
                        msg["rcpt"] = []
                        self.say("250 ok")
                    elif cmd == "NOOP":
                        self.say("250 ok")
                    elif cmd == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("502 not implemented")
            except (EOFError, ConnectionError):
                return

    class SmtpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    smtp = SmtpServer(("127.0.0.1", 0), Smtp)

    sock_path = os.path.join(d, "syslog.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    sl = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sl.bind(sock_path)

    def syslog_loop():
        while True:
            data = sl.recv(1 << 17)
            record(os.path.join(d, "syslog.jsonl"), {"time": time.time(), "raw": data.decode("utf-8", "replace")})

    for target in (http.serve_forever, smtp.serve_forever, syslog_loop):
        threading.Thread(target=target, daemon=True).start()
    tmp = os.path.join(d, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"http": http.server_address[1], "smtp": smtp.server_address[1], "syslog": sock_path}, f)
    os.rename(tmp, os.path.join(d, "ports.json"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
