"""The web view for tests: `monitor serve` as a real subprocess, pages in headless Chromium.

Also regenerates the README's screenshot (the seed corpus in a scratch database):

    python tests/browser.py docs/img/stories.png     (make screenshot)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_ADDRESS = re.compile(r"Uvicorn running on http://([\d.]+):(\d+)")


class Served:
    """`monitor [--config C] [--db D] serve --port 0 ARGS...`, stopped by SIGTERM on exit."""

    def __init__(self, *pre: str, args: tuple[str, ...] = (), wait: bool = True) -> None:
        self.log = Path(tempfile.mkstemp(prefix="serve-", suffix=".log")[1])
        # stderr to a file: a pipe nobody drains would block the server's access log.
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", *pre, "serve", "--port", "0", *args],
                stdout=subprocess.DEVNULL, stderr=err)
        self.host, self.port = "", 0
        if wait:
            self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = _ADDRESS.search(self.stderr())
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"monitor serve exited {self.proc.returncode}:\n"
                                   + self.stderr())
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("monitor serve did not start:\n" + self.stderr())

    def stderr(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url(path), timeout=30) as r:
            return r.read().decode("utf-8")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


def chromium(url: str, profile: Path, *, screenshot: Path | None = None,
             size: str = "1280,900") -> str:
    """Load `url` in headless Chromium: the DOM after scripts ran, or a PNG screenshot."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed")
    # --no-sandbox: the sandbox needs kernel features containers often lack; these
    # pages come from our own server on 127.0.0.1.
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--hide-scrollbars", "--no-first-run", f"--user-data-dir={profile}",
           f"--window-size={size}"]
    cmd += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    r = subprocess.run([*cmd, url], capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"chromium exited {r.returncode}: "
                           + r.stderr.decode("utf-8", "replace")[-2000:])
    return r.stdout.decode("utf-8", "replace")


def main(out: str) -> None:
    """Ingest the seed corpus into a scratch database and screenshot the stories page."""
    target = Path(out).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pre = ("--config", str(ROOT / "config.toml"), "--db", str(Path(tmp) / "monitor.db"))
        subprocess.run([sys.executable, "-m", "monitor", *pre, "ingest", str(ROOT / "seeds")],
                       check=True, stdout=subprocess.DEVNULL)
        with Served(*pre) as s:
            chromium(s.url("/monitor/story_view"), Path(tmp) / "profile", screenshot=target,
                     size="1280,1100")
    print(f"wrote {os.path.relpath(target)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img/stories.png")
