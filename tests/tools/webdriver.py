"""webdriver.py - a small W3C WebDriver client for headless Chromium, standard library only.

Starts chromedriver on a free loopback port, opens a session of headless Chromium with a
throw-away profile, and offers what the browser tests need: navigate, find elements by CSS,
click, type, read text, attributes and properties, run a script, take screenshots (viewport,
full page, one element), cookies, and alert dialogs. An open alert makes every command fail
with "unexpected alert open"; that is raised as AlertOpen, whose message says which alert and
that script from the page ran. quit() ends the session and kills chromedriver and the browser
(its process group) whatever happened before; the driver is a context manager, and an atexit
hook and a SIGTERM handler make sure quit() runs.

    from webdriver import Driver
    with Driver(window=(1280, 1000), artifacts="/tmp/shots") as d:
        d.get("http://127.0.0.1:8080/login")
        d.find("input[name=token]").send_keys(token)
        d.find("form#login button[type=submit]").click()
        d.screenshot("dashboard.png")

Chromium and chromedriver are looked up on PATH (chromium, chromium-browser, google-chrome;
chromedriver), or given as arguments / $CHROMIUM and $CHROMEDRIVER.
"""

import atexit
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"
CHROME_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
               "--force-device-scale-factor=1", "--lang=en-US"]


class WebDriverError(Exception):
    """A command failed: error is the W3C error code ("no such element", ...)."""

    def __init__(self, error, message, command="", data=None):
        self.error, self.message, self.command, self.data = error, message, command, data or {}
        super().__init__(f"{command}: {error}: {message.splitlines()[0] if message else ''}")


class AlertOpen(WebDriverError):
    """A JavaScript dialog (alert, confirm, prompt) is open: some script on the page ran."""

    def __init__(self, text, command=""):
        self.text = text
        super().__init__("unexpected alert open",
                         f"an alert dialog opened with text {text!r}: script on the page ran "
                         f"(injected markup executed?)", command, {"text": text})

    def __str__(self):
        return f"{self.command}: {self.message}"


def find_executable(*names):
    for n in names:
        if n and os.path.sep in n and os.access(n, os.X_OK):
            return n
        p = shutil.which(n) if n else None
        if p:
            return p
    return None


def find_chromium():
    return find_executable(os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser",
                           "google-chrome", "google-chrome-stable")


def find_chromedriver():
    return find_executable(os.environ.get("CHROMEDRIVER", ""), "chromedriver")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Element:
    def __init__(self, driver, eid, css=""):
        self.d, self.id, self.css = driver, eid, css

    def __repr__(self):
        return f"<Element {self.css or self.id}>"

    def _p(self, suffix=""):
        return f"/element/{self.id}{suffix}"

    def click(self):
        self.d.cmd("POST", self._p("/click"), {})
        return self

    def clear(self):
        self.d.cmd("POST", self._p("/clear"), {})
        return self

    def send_keys(self, text):
        self.d.cmd("POST", self._p("/value"), {"text": text})
        return self

    @property
    def text(self):
        return self.d.cmd("GET", self._p("/text"))

    @property
    def tag(self):
        return self.d.cmd("GET", self._p("/name"))

    def attribute(self, name):
        return self.d.cmd("GET", self._p(f"/attribute/{name}"))

    def prop(self, name):
        return self.d.cmd("GET", self._p(f"/property/{name}"))

    @property
    def displayed(self):
        # not a W3C endpoint any more; computed the way the spec's "element displayedness" roughly is
        return bool(self.d.execute(
            "var e=arguments[0];if(!e.isConnected)return false;var s=getComputedStyle(e);"
            "return s.display!=='none'&&s.visibility!=='hidden'&&e.getClientRects().length>0;",
            self))

    @property
    def enabled(self):
        return self.d.cmd("GET", self._p("/enabled"))

    def find(self, css):
        return self.d._element(self.d.cmd("POST", self._p("/element"),
                                          {"using": "css selector", "value": css}), css)

    def find_all(self, css):
        return [self.d._element(v, css) for v in
                self.d.cmd("POST", self._p("/elements"), {"using": "css selector", "value": css})]

    def screenshot(self, path, margin=0):
        """PNG of the element (all of it, even when taller than the viewport); returns the path."""
        x, y, w, h = self.d.execute(
            "var r=arguments[0].getBoundingClientRect();"
            "return [r.left+scrollX, r.top+scrollY, r.width, r.height]", self)
        try:
            return self.d.screenshot_clip(path, max(0, x - margin), max(0, y - margin),
                                          w + 2 * margin, h + 2 * margin)
        except AlertOpen:
            raise
        except WebDriverError:  # no CDP: the W3C element screenshot (clipped to the viewport)
            return self.d._save_png(self.d.cmd("GET", self._p("/screenshot")), path)


class Driver:
    """One chromedriver process and one browser session."""

    def __init__(self, window=(1280, 2000), chromium=None, chromedriver=None, log_dir=None,
                 timeout=30, extra_args=()):
        self.chromium = chromium or find_chromium()
        self.chromedriver = chromedriver or find_chromedriver()
        if not self.chromium:
            raise RuntimeError("chromium is not installed (no chromium, chromium-browser or "
                               "google-chrome on PATH)")
        if not self.chromedriver:
            raise RuntimeError("chromedriver is not installed (Debian: apt-get install chromium-driver)")
        self.window, self.timeout, self.extra_args = window, timeout, list(extra_args)
        self.proc = self.session = self.base = None
        self._own_tmp = tempfile.mkdtemp(prefix="webdriver-")
        self.log_dir = log_dir or self._own_tmp
        self.profile = os.path.join(self._own_tmp, "profile")
        self.driver_log = os.path.join(self.log_dir, "chromedriver.log")
        self._closed = False
        atexit.register(self.quit)
        self._old_term = None
        try:
            self._old_term = signal.signal(signal.SIGTERM, self._on_term)
        except ValueError:  # not the main thread
            pass
        try:
            self._start()
        except BaseException:
            self.quit()
            raise

    # -- lifecycle --------------------------------------------------------------------------
    def _on_term(self, signum, frame):
        self.quit()
        raise SystemExit(128 + signum)

    def _start(self):
        port = free_port()
        self.log_file = open(self.driver_log, "ab")
        self.proc = subprocess.Popen([self.chromedriver, f"--port={port}", "--allowed-ips=127.0.0.1",
                                      f"--log-path={self.driver_log}.verbose"],
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        pidfile = os.environ.get("WEBDRIVER_PIDFILE")
        if pidfile:  # the shell around us kills the process group on exit, should we not
            with open(pidfile, "a") as f:
                f.write(f"{self.proc.pid}\n")
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromedriver exited {self.proc.returncode}: {self._log_tail()}")
            try:
                st = self._http("GET", "/status", None, timeout=2)
                if st.get("value", {}).get("ready"):
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromedriver did not answer on port {port}: {self._log_tail()}")
            time.sleep(0.05)
        args = CHROME_ARGS + [f"--window-size={self.window[0]},{self.window[1]}",
                              f"--user-data-dir={self.profile}"] + self.extra_args
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            # an alert stays open and every command fails until it is handled: AlertOpen
            "unhandledPromptBehavior": "ignore",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": self.timeout * 1000, "script": self.timeout * 1000,
                         "implicit": 0},
            "goog:chromeOptions": {"binary": self._real_chromium(), "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},  # the console: CSP violations, errors
        }}}
        v = self._http("POST", "/session", caps, timeout=60)
        val = v.get("value", {})
        if "sessionId" not in val:
            raise RuntimeError(f"no session: {val.get('error')}: {val.get('message')} {self._log_tail()}")
        self.session = val["sessionId"]
        self.capabilities = val.get("capabilities", {})

    def _real_chromium(self):
        # Debian's /usr/bin/chromium is a shell launcher; chromedriver wants the browser itself
        # (the launcher works too, but prints noise and reads /etc/chromium.d).
        for real in ("/usr/lib/chromium/chromium",):
            if os.path.realpath(self.chromium) == "/usr/bin/chromium" and os.access(real, os.X_OK):
                return real
        return self.chromium

    def _log_tail(self, n=2000):
        try:
            with open(self.driver_log, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def quit(self):
        """Ends the session, then chromedriver and everything it started. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.session:
            try:
                try:  # an open alert would not stop DELETE, but accept it anyway
                    self._http("POST", f"/session/{self.session}/alert/dismiss", {}, timeout=3)
                except Exception:
                    pass
                self._http("DELETE", f"/session/{self.session}", None, timeout=10)
            except Exception:
                pass
            self.session = None
        if self.proc:
            for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
                try:
                    os.killpg(self.proc.pid, sig)  # chromedriver's own group: it and the browser
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    self.proc.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    continue
                # the leader is gone; anything left in the group gets the same signal next round
                try:
                    os.killpg(self.proc.pid, 0)
                except (ProcessLookupError, PermissionError):
                    break
            self.proc = None
        try:
            self.log_file.close()
        except Exception:
            pass
        shutil.rmtree(self._own_tmp, ignore_errors=True)
        if self._old_term is not None:
            try:
                signal.signal(signal.SIGTERM, self._old_term)
            except (ValueError, TypeError):
                pass
            self._old_term = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()
        return False

    # -- protocol ---------------------------------------------------------------------------
    def _http(self, method, path, body, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout + 10) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return json.loads(raw)
            except ValueError:
                return {"value": {"error": f"http {e.code}", "message": raw.decode("utf-8", "replace")}}

    def cmd(self, method, path, body=None):
        """One command of the session: returns its value, or raises WebDriverError / AlertOpen."""
        if not self.session:
            raise WebDriverError("invalid session id", "the session has ended", f"{method} {path}")
        if method == "POST" and body is None:
            body = {}
        v = self._http(method, f"/session/{self.session}{path}", body).get("value")
        if isinstance(v, dict) and "error" in v:
            err, msg = v.get("error"), v.get("message", "")
            if err == "unexpected alert open":
                text = (v.get("data") or {}).get("text")
                if text is None:
                    text = self.alert_text() or ""
                raise AlertOpen(text, f"{method} {path}")
            raise WebDriverError(err, msg, f"{method} {path}", v.get("data"))
        return v

    def _element(self, v, css=""):
        return Element(self, v[ELEMENT_KEY], css)

    def _wrap(self, v):
        if isinstance(v, dict):
            if ELEMENT_KEY in v:
                return Element(self, v[ELEMENT_KEY])
            return {k: self._wrap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self._wrap(x) for x in v]
        return v

    @staticmethod
    def _unwrap(v):
        if isinstance(v, Element):
            return {ELEMENT_KEY: v.id}
        if isinstance(v, (list, tuple)):
            return [Driver._unwrap(x) for x in v]
        if isinstance(v, dict):
            return {k: Driver._unwrap(x) for k, x in v.items()}
        return v

    # -- navigation and elements -------------------------------------------------------------
    def get(self, url):
        self.cmd("POST", "/url", {"url": url})
        return self

    @property
    def url(self):
        return self.cmd("GET", "/url")

    @property
    def status(self):
        """The HTTP status of the page shown (Navigation Timing's responseStatus, Chromium 109+),
        or None when the browser does not tell."""
        v = self.execute("var n=performance.getEntriesByType('navigation')[0];"
                         "return n&&n.responseStatus?n.responseStatus:null")
        return int(v) if v else None

    @property
    def title(self):
        return self.cmd("GET", "/title")

    @property
    def source(self):
        return self.cmd("GET", "/source")

    def back(self):
        self.cmd("POST", "/back", {})

    def refresh(self):
        self.cmd("POST", "/refresh", {})

    def find(self, css):
        """The first element matching css; WebDriverError "no such element" when none."""
        return self._element(self.cmd("POST", "/element", {"using": "css selector", "value": css}), css)

    def find_all(self, css):
        return [self._element(v, css) for v in
                self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def exists(self, css):
        return bool(self.find_all(css))

    def wait_for(self, css, timeout=10):
        """Polls until an element matches css."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find_all(css)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise WebDriverError("timeout", f"no element matches {css!r} after {timeout} s "
                                     f"(at {self.url})", "wait_for")
            time.sleep(0.05)

    def wait_until(self, script, *args, timeout=10, what=None):
        """Polls until the script returns a true value; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.execute(script, *args)
            if v:
                return v
            if time.monotonic() > deadline:
                raise WebDriverError("timeout", f"{what or script} still false after {timeout} s",
                                     "wait_until")
            time.sleep(0.05)

    def execute(self, script, *args):
        """Runs script as a function body (arguments[...] are args); returns its value."""
        return self._wrap(self.cmd("POST", "/execute/sync",
                                   {"script": script, "args": self._unwrap(list(args))}))

    # -- dialogs --------------------------------------------------------------------------------
    def alert_text(self):
        """The text of the open dialog, or None when none is open."""
        v = self._http("GET", f"/session/{self.session}/alert/text", None).get("value")
        if isinstance(v, dict) and "error" in v:
            return None
        return v if v is not None else ""

    def accept_alert(self):
        self.cmd("POST", "/alert/accept", {})

    def dismiss_alert(self):
        self.cmd("POST", "/alert/dismiss", {})

    def assert_no_alert(self, where=""):
        text = self.alert_text()
        if text is not None:
            try:
                self.accept_alert()
            except WebDriverError:
                pass
            raise AlertOpen(text, where or "assert_no_alert")

    def console(self):
        """The browser console's messages since the last call (CSP violations, script errors):
        a list of (level, message); [] when chromedriver cannot tell."""
        try:
            return [(e.get("level", ""), e.get("message", ""))
                    for e in self.cmd("POST", "/se/log", {"type": "browser"}) or []]
        except AlertOpen:
            raise
        except WebDriverError:
            return []

    # -- window, cookies, screenshots --------------------------------------------------------
    def set_window(self, width, height):
        self.cmd("POST", "/window/rect", {"width": width, "height": height})

    def cookies(self):
        return self.cmd("GET", "/cookie")

    def delete_cookies(self):
        self.cmd("DELETE", "/cookie")

    @staticmethod
    def _save_png(b64, path):
        data = base64.b64decode(b64)
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise WebDriverError("bad screenshot", "the screenshot is not a PNG", "screenshot")
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def cdp(self, command, params=None):
        """A Chrome DevTools Protocol command through chromedriver (goog/cdp/execute)."""
        return self.cmd("POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}})

    def screenshot(self, path):
        """PNG of the viewport; returns the path."""
        return self._save_png(self.cmd("GET", "/screenshot"), path)

    def screenshot_clip(self, path, x, y, width, height):
        """PNG of a rectangle of the page in CSS pixels from its top left, beyond the viewport too."""
        shot = self.cdp("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": x, "y": y, "width": width, "height": height, "scale": 1}})
        return self._save_png(shot["data"], path)

    def screenshot_full(self, path, max_height=12000):
        """PNG of the whole page: the viewport's width, the document's height (up to max_height)."""
        width, height = self.execute(
            "var e=document.documentElement;return [e.clientWidth, Math.max(e.scrollHeight,"
            "document.body?document.body.scrollHeight:0)]")
        try:
            return self.screenshot_clip(path, 0, 0, width, min(height, max_height))
        except AlertOpen:
            raise
        except WebDriverError:
            pass
        # no CDP: grow the window to the page, shoot, and shrink it back
        w, h = self.window
        self.set_window(w, min(height + h - self.execute("return innerHeight"), max_height))
        try:
            return self.screenshot(path)
        finally:
            self.set_window(w, h)


def png_size(path):
    """(width, height) of a PNG file."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
