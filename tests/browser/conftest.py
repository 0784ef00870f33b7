"""Fixtures of the browser tests: the emulator binary on a free loopback port, Debian's
headless Chromium driven by Selenium, screenshots, and the `llamacloud` binary.

`cargo xtask browser` builds the binaries and names them in `BATCHES_SERVER_BIN` and
`LLAMACLOUD_BIN`, the screenshot folder in `BROWSER_SCREENSHOTS`, and Chromium and its
driver in `CHROMIUM` and `CHROMEDRIVER`. Run by hand, set the same variables.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# Selenium must use the driver it is given; this also holds when pytest is run by hand.
os.environ.setdefault("SE_OFFLINE", "true")

#: The longest any wait in these tests lasts, in seconds.
WAIT = 30

DESKTOP = (1280, 900)
PHONE_WIDTH = 375


def _binary(variable: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.fail(f"{variable} is not set: run the browser tests with `cargo xtask browser`")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{variable} names {path}, which is not a file")
    return path


@dataclass(frozen=True)
class Emulator:
    """A running `batches-server`: where it listens and the key it accepts."""

    base_url: str
    api_key: str


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """A `batches-server` of its own, in memory, on 127.0.0.1 with a free port, accepting
    one random key; stopped after the test. Started as `cargo xtask` starts it: `--listen
    127.0.0.1:0`, then its one `listening on URL` line is read."""
    binary = _binary("BATCHES_SERVER_BIN")
    api_key = "llx-browser-" + secrets.token_hex(12)
    # Its log, which a failure report shows.
    log = (tmp_path / "emulator.log").open("w")
    process = subprocess.Popen(
        [
            str(binary),
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            api_key,
            "--processing-ms",
            "300",
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening on "):
            pytest.fail(f"the emulator did not announce its address (first line: {line!r})")
        yield Emulator(base_url=line.removeprefix("listening on "), api_key=api_key)
        if process.poll() is not None:
            pytest.fail(f"the emulator stopped during the test ({process.returncode}); its log: "
                        f"{(tmp_path / 'emulator.log').read_text()}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def llamacloud() -> Path:
    """The `llamacloud` binary."""
    return _binary("LLAMACLOUD_BIN")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keeps each phase's report on the test, so that `browser` knows it failed."""
    report = yield
    setattr(item, "report_" + report.when, report)
    return report


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium, headless, at a desktop size (see `viewport`). When the test
    fails, the screen is saved as `failed-TEST.png` in `BROWSER_SCREENSHOTS`."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in (
        "--headless=new",
        # As root (CI), Chromium refuses to start with its sandbox.
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    try:
        yield driver
        report = getattr(request.node, "report_call", None)
        folder = os.environ.get("BROWSER_SCREENSHOTS")
        if folder and report is not None and report.failed:
            driver.save_screenshot(str(Path(folder) / f"failed-{request.node.name}.png"))
    finally:
        driver.quit()


@pytest.fixture
def viewport(browser: webdriver.Chrome) -> Callable[..., None]:
    """`viewport(width, height=900)` makes the page's viewport exactly `width` CSS pixels
    wide, as a phone's (375) is, whatever the window has around it (the device metrics are
    overridden; below 600 px as a mobile device). `viewport(*DESKTOP)` goes back."""

    def resize(width: int, height: int = 900) -> None:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    return resize


@pytest.fixture
def screenshot(browser: webdriver.Chrome, tmp_path: Path) -> Callable[[str], Path]:
    """`screenshot(name)` saves the browser's viewport as `NAME.png` in the screenshot
    folder (`BROWSER_SCREENSHOTS`, else the test's temporary folder) and returns its path."""
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = folder / f"{name}.png"
        if not browser.save_screenshot(str(path)):
            pytest.fail(f"the browser could not save the screenshot {path}")
        return path

    return take
