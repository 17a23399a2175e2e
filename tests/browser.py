"""Load a page in headless Chromium with the network blocked, over the DevTools protocol (a pipe, no
websocket library): every request that is not a local file is failed and recorded, with failed loads,
console errors and uncaught exceptions. Shared by the tests that say a published page works offline."""

import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


@dataclass
class PageLoad:
    remote_requests: list[str] = field(default_factory=list)  # blocked: a page that works offline has none
    failed_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    values: dict = field(default_factory=dict)  # the results of the expressions evaluated after the load


class _Browser:
    def __init__(self, profile: Path):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:  # the DevTools pipe is fds 3 (commands in) and 4 (answers out)
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            pass_fds=(3, 4),
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def receive(self, deadline: float) -> dict | None:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                return None
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while (message := self.receive(deadline)) is not None:
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)
        raise TimeoutError(f"no answer to {method} from Chromium within {timeout}s")

    def close(self) -> None:
        """Browser.close lets Chromium end its helper processes too (a kill leaves them writing the profile)."""
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def load_offline(page: Path, profile: Path, expressions: dict[str, str] | None = None, timeout: float = 60) -> PageLoad:
    """Open `page`, wait for its load event, evaluate `expressions` (name -> JavaScript) and report."""
    browser = _Browser(profile)
    result = PageLoad()
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Fetch.enable", {"patterns": [{"urlPattern": "http*"}, {"urlPattern": "ws*"}]}, session)
        browser.call("Page.navigate", {"url": page.resolve().as_uri()}, session)
        deadline = time.monotonic() + timeout
        loaded = False
        while not loaded and (message := browser.receive(deadline)) is not None:
            browser.events.append(message)
            if message.get("method") == "Fetch.requestPaused":
                browser.send(
                    "Fetch.failRequest",
                    {"requestId": message["params"]["requestId"], "errorReason": "BlockedByClient"},
                    session,
                )
            loaded = message.get("method") == "Page.loadEventFired"
        if not loaded:
            raise TimeoutError(f"{page} did not finish loading within {timeout}s")
        settle = time.monotonic() + 1  # what a script asks for right after the load event is recorded too
        while (message := browser.receive(settle)) is not None:
            browser.events.append(message)
        for name, expression in (expressions or {}).items():
            answer = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            if "exceptionDetails" in answer:
                result.errors.append(f"{name}: {answer['exceptionDetails'].get('text')}")
            result.values[name] = answer.get("result", {}).get("value")
    finally:
        browser.close()
    urls = {
        event["params"]["requestId"]: event["params"]["request"]["url"]
        for event in browser.events
        if event.get("method") == "Network.requestWillBeSent"
    }
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        remote = method == "Fetch.requestPaused" or (
            method == "Network.requestWillBeSent" and not params["request"]["url"].startswith(LOCAL_SCHEMES)
        )
        if remote:
            result.remote_requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            url = urls.get(params.get("requestId"), "?")
            result.failed_requests.append(f"{params.get('type')} {url}: {params.get('errorText')}")
        elif method == "Runtime.exceptionThrown":
            result.errors.append(json.dumps(params["exceptionDetails"].get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            result.errors.append(json.dumps([arg.get("value") for arg in params.get("args", [])]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            result.errors.append(params["entry"].get("text", ""))
    result.remote_requests = sorted(set(result.remote_requests))
    return result
