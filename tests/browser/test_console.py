"""The emulator's console in a real browser: the key asked for once, a batch made over
the API appearing and completing without a reload, its results, its job's Markdown shown
safely, keyboard use, and a phone's width."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request
import uuid

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import DESKTOP, PHONE_WIDTH, WAIT, Emulator

DOCUMENT = """# Quarterly notes

Revenue is **up** and costs are *flat*; see `report.pdf`.

- first point
- second point

<b>not bold</b> <img src=x id=injected>
"""


def call(emulator: Emulator, method: str, path: str, body: bytes | None = None,
         content_type: str = "application/json") -> dict:
    """One request to the emulator's API with its key, as any client makes it."""
    request = urllib.request.Request(emulator.base_url + path, data=body, method=method)
    request.add_header("Authorization", "Bearer " + emulator.api_key)
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read()!r}") from None


def directory_with(emulator: Emulator, directory: str, name: str, text: str) -> str:
    """A directory holding one file; returns its id."""
    directory_id = call(emulator, "POST", "/api/v1/beta/directories",
                        json.dumps({"name": directory, "type": "ephemeral"}).encode())["id"]
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="upload_file"; filename="{name}"\r\n'
        "Content-Type: text/markdown\r\n\r\n"
        f"{text}\r\n--{boundary}--\r\n"
    ).encode()
    call(emulator, "POST", f"/api/v1/beta/directories/{directory_id}/files/upload", body,
         f"multipart/form-data; boundary={boundary}")
    return directory_id


def create_batch(emulator: Emulator, directory_id: str, job_type: str, configuration_id: str,
                 **extra) -> str:
    """A batch over the directory; returns its id."""
    return call(emulator, "POST", "/api/v2/batches", json.dumps({
        "source_directory_id": directory_id,
        "config": {"job": {"type": job_type, "configuration_id": configuration_id}},
        **extra,
    }).encode())["id"]


def wait(browser: WebDriver):
    # The console redraws what changed every second: an element found just before a
    # redraw is looked up again.
    return WebDriverWait(browser, WAIT, ignored_exceptions=[StaleElementReferenceException])


def focused(browser: WebDriver) -> str:
    """The focused element, as `tag#id` or `tag:text`."""
    return browser.execute_script(
        "const e = document.activeElement;"
        "return e.tagName.toLowerCase() + (e.id ? '#' + e.id : ':' + e.textContent.trim());")


def tab_until(browser: WebDriver, wanted: str, limit: int = 10) -> None:
    """Presses Tab until `wanted` (as `focused` names it) has the focus."""
    for _ in range(limit):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if focused(browser) == wanted:
            return
    raise AssertionError(f"{wanted} not reached with Tab; the focus is on {focused(browser)}")


def no_horizontal_scroll(browser: WebDriver) -> None:
    width, scroll = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth];")
    assert width == PHONE_WIDTH
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def test_a_batch_made_over_the_api_completes_on_screen(emulator, browser, screenshot, viewport):
    browser.get(emulator.base_url + "/")
    wait(browser).until(seen.visibility_of_element_located((By.ID, "api-key")))
    assert emulator.api_key not in browser.page_source

    # Keyboard only: Tab reaches the key field and then the button; Enter connects.
    tab_until(browser, "input#api-key")
    browser.switch_to.active_element.send_keys(emulator.api_key)
    tab_until(browser, "button:Connect", limit=1)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(seen.text_to_be_present_in_element((By.ID, "live"), "Live"))
    wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "No batch matches."))
    # Marks this page load: still there at the end means nothing was reloaded.
    browser.execute_script("window.loadedOnce = true;")
    tab_until(browser, "button:Apply filters", limit=20)

    directory_id = directory_with(emulator, "browser-docs", "notes.md", DOCUMENT)
    batch_id = create_batch(emulator, directory_id, "parse_v2", "cfg-PARSE_FAST")
    row = f"a[href='#/batches/{batch_id}']"
    wait(browser).until(seen.presence_of_element_located((By.CSS_SELECTOR, row)))
    wait(browser).until(lambda b: "COMPLETED" in b.find_element(
        By.XPATH, f"//a[@href='#/batches/{batch_id}']/ancestor::tr").text)
    assert browser.execute_script("return window.loadedOnce === true;")
    screenshot("batches-desktop")

    browser.find_element(By.CSS_SELECTOR, row).click()
    job_link = wait(browser).until(seen.presence_of_element_located(
        (By.CSS_SELECTOR, "a[href^='#/jobs/parse_v2/']")))
    assert "notes.md" in browser.find_element(By.TAG_NAME, "main").text
    screenshot("batch-desktop")

    job_link.click()
    article = wait(browser).until(seen.presence_of_element_located(
        (By.CSS_SELECTOR, "article.markdown")))
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "article.markdown li"))
    assert article.find_element(By.CSS_SELECTOR, "h3").text == "Quarterly notes"
    assert article.find_element(By.CSS_SELECTOR, "strong").text == "up"
    assert [li.text for li in article.find_elements(By.TAG_NAME, "li")] == [
        "first point", "second point"]
    # The document's HTML is text, never markup.
    assert "<b>not bold</b> <img src=x id=injected>" in article.text
    assert article.find_elements(By.TAG_NAME, "b") == []
    assert browser.find_elements(By.ID, "injected") == []
    screenshot("job-markdown-desktop")
    assert browser.execute_script("return window.loadedOnce === true;")

    # A phone's width: no horizontal scroll on any of the three.
    viewport(PHONE_WIDTH)
    job_hash = browser.execute_script("return location.hash;")
    for name, hash_, ready in [
        ("batches", "#/batches", row),
        ("batch", f"#/batches/{batch_id}", "a[href^='#/jobs/parse_v2/']"),
        ("job-markdown", job_hash, "article.markdown li"),
    ]:
        browser.execute_script("location.hash = arguments[0];", hash_)
        wait(browser).until(seen.presence_of_element_located((By.CSS_SELECTOR, ready)))
        no_horizontal_scroll(browser)
        screenshot(f"{name}-{PHONE_WIDTH}")
    viewport(*DESKTOP)


def test_a_refused_key_is_asked_for_again(emulator, browser):
    browser.get(emulator.base_url + "/")
    field = wait(browser).until(seen.visibility_of_element_located((By.ID, "api-key")))
    field.send_keys("llx-not-this-one", Keys.ENTER)
    wait(browser).until(seen.text_to_be_present_in_element(
        (By.CSS_SELECTOR, ".key-form .error"), "refused"))
    assert browser.execute_script("return sessionStorage.length;") == 0


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that answers every delivery 204."""

    def do_POST(self):  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def connect(browser: WebDriver, emulator: Emulator) -> None:
    browser.get(emulator.base_url + "/")
    field = wait(browser).until(seen.visibility_of_element_located((By.ID, "api-key")))
    field.send_keys(emulator.api_key, Keys.ENTER)
    wait(browser).until(seen.text_to_be_present_in_element((By.ID, "live"), "Live"))


def open_view(browser: WebDriver, name: str, heading: str) -> None:
    """Follows the navigation link `name` with the keyboard."""
    browser.find_element(By.LINK_TEXT, name).send_keys(Keys.ENTER)
    wait(browser).until(seen.text_to_be_present_in_element((By.TAG_NAME, "h2"), heading))


def test_every_view_shows_what_the_emulator_holds(emulator, browser, screenshot, viewport):
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        directory_id = directory_with(emulator, "hooked-docs", "invoice.md",
                                      "Invoice number: 2026-001\nTotal: 1,250.00 EUR\n")
        batch_id = create_batch(emulator, directory_id, "extract_v2", "cfg-EXTRACT_INVOICE",
                                webhook_configurations=[{"webhook_url": hook}])
        connect(browser, emulator)

        open_view(browser, "Directories", "Directories")
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "hooked-docs"))
        screenshot("directories-desktop")

        open_view(browser, "Webhook deliveries", "Webhook deliveries")
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "batch.success"))
        assert batch_id in browser.find_element(By.ID, "main").text
        assert "delivered" in browser.find_element(By.ID, "main").text
        screenshot("deliveries-desktop")

        open_view(browser, "Faults", "Fault settings")
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "Fault kinds"))
        assert "500, 503, 429, reset, truncate, slow" in browser.find_element(By.ID, "main").text

        open_view(browser, "Recent requests", "Recent requests")
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "/api/v2/batches"))
        text = browser.find_element(By.ID, "main").text
        assert "/emulator/requests" not in text, "the console's own requests are left out"
        assert emulator.api_key not in browser.page_source
        browser.find_element(By.ID, "show-console").send_keys(Keys.SPACE)
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "/emulator/requests"))
        screenshot("requests-desktop")

        # The extract job of the batch: its fields, from the batch's results.
        browser.execute_script("location.hash = arguments[0];", f"#/batches/{batch_id}")
        wait(browser).until(seen.element_to_be_clickable(
            (By.CSS_SELECTOR, "a[href^='#/jobs/extract_v2/']"))).send_keys(Keys.ENTER)
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "Extracted fields"))
        wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "invoice_number"))
        screenshot("extract-job-desktop")

        # Every view fits a phone's width.
        viewport(PHONE_WIDTH)
        for hash_, text in [("#/directories", "hooked-docs"), ("#/deliveries", "batch.success"),
                            ("#/faults", "Fault kinds"), ("#/requests", "/api/v2/batches"),
                            (f"#/directories/{directory_id}", "invoice.md")]:
            browser.execute_script("location.hash = arguments[0];", hash_)
            wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), text))
            no_horizontal_scroll(browser)
        screenshot(f"directory-{PHONE_WIDTH}")
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_the_list_filters_reach_the_api(emulator, browser):
    directory_id = directory_with(emulator, "filtered-docs", "a.md", "# A\n")
    batch_id = create_batch(emulator, directory_id, "parse_v2", "cfg-PARSE_FAST")
    connect(browser, emulator)
    row = (By.CSS_SELECTOR, f"a[href='#/batches/{batch_id}']")
    wait(browser).until(seen.presence_of_element_located(row))

    def apply(**values: str) -> None:
        for name, value in values.items():
            field = browser.find_element(By.ID, f"filter-{name}")
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)
        browser.find_element(By.XPATH, "//button[text()='Apply filters']").click()

    apply(status="FAILED")
    wait(browser).until(seen.text_to_be_present_in_element((By.ID, "main"), "No batch matches."))
    assert "status=FAILED" in browser.current_url
    apply(status="", source_directory_id=directory_id)
    wait(browser).until(seen.presence_of_element_located(row))
    apply(source_directory_id="", created_at_on_or_after="yesterday")
    alert = wait(browser).until(seen.visibility_of_element_located((By.CSS_SELECTOR, "main .error")))
    assert alert.get_attribute("role") == "alert"
    assert "422" in alert.text and "created_at_on_or_after" in alert.text, alert.text
