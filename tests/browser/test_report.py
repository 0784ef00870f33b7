"""The report page of an export folder, `DIR/report.html` written by `llamacloud batches
report DIR`, opened from disk in Chromium: every file in the table, the filters and the
sort working, file names and documents shown as text, a preview, and (printed, not
asserted) how long 10,000 files take to load and render."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

# Each of these would run script or add markup if the page used it as HTML or as a link.
HOSTILE_NAMES = [
    '<img src=x onerror="window.injected=1;alert(1)">.pdf',
    "<script>window.injected=2;alert(2)</script>.pdf",
    "\"quoted\" 'single' & ampersand.pdf",
    "a</script><script>window.injected=3;alert(3)</script>.pdf",
    "javascript:window.injected=4",
    "line\u2028separator\u2029.pdf",
]
HOSTILE_DOCUMENT = (
    "# Hostile\n\n</script><script>window.injected=5;alert(5)</script>\n"
    '<img src=x onerror="window.injected=6">\n\u2028 & done\n'
)

ROWS = "#files tbody tr"
VISIBLE_PATHS = (
    "return Array.from(document.querySelectorAll('#files tbody tr'))"
    ".filter(row => !row.hidden).map(row => row.cells[0].textContent);"
)


def make_export(folder: Path, files: int, documents: int) -> list[dict]:
    """An export folder: a manifest of `files` entries (every 7th FAILED, the first ones
    with hostile names), `documents` of them with a Markdown output written."""
    (folder / "out").mkdir(parents=True)
    entries = []
    for index in range(files):
        if index < len(HOSTILE_NAMES):
            path = HOSTILE_NAMES[index]
        else:
            path = f"docs/file-{index:05}.pdf"
        failed = index % 7 == 3
        output = None
        if index < documents and not failed:
            output = f"out/file-{index:05}.md"
            text = f"# Document {index}\n\nPage one of {path}.\n"
            if index == 0:
                text = HOSTILE_DOCUMENT
            (folder / output).write_text(text, encoding="utf-8")
        entries.append(
            {
                "path": path,
                "sha256": f"{index:064x}",
                "bytes": 1000 + index,
                "directory_file_id": f"dfl-{index}",
                "batch_id": "bat-1",
                "job_id": f"pjb-{index}",
                "job_status": "FAILED" if failed else "COMPLETED",
                "error": f"parse failed <b>{index}</b>" if failed else None,
                "pages": index % 5 + 1,
                "credits": (index % 5 + 1) * 1.5,
                "output": output,
                "finished_at": "2026-01-02T03:04:05Z",
            }
        )
    # A hostile output path: linked only as a relative file name.
    entries[6]["output"] = "javascript:alert(7)"
    # An output whose name needs percent-encoding in a link.
    entries[8]["output"] = "out/a #1?%20 été.md"
    (folder / entries[8]["output"]).write_text("# Encoded\n", encoding="utf-8")
    lines = "".join(json.dumps(entry) + "\n" for entry in entries)
    (folder / "manifest.jsonl").write_text(lines, encoding="utf-8")
    return entries


def write_report(llamacloud: Path, folder: Path) -> Path:
    done = subprocess.run(
        [str(llamacloud), "batches", "report", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = Path(done.stdout.strip())
    assert report == folder / "report.html"
    return report


def assert_nothing_ran(browser) -> None:
    try:
        alert = browser.switch_to.alert
        raise AssertionError(f"an alert opened: {alert.text}")
    except NoAlertPresentException:
        pass
    assert browser.execute_script("return window.injected === undefined;")
    # The page's own two script elements (the previews' JSON and the code), nothing more.
    assert browser.execute_script("return document.scripts.length;") == 2
    assert browser.execute_script("return document.querySelectorAll('img, iframe').length;") == 0


def test_report_of_1000_files(browser, screenshot, llamacloud, tmp_path):
    folder = tmp_path / "export run"
    entries = make_export(folder, files=1000, documents=40)
    report = write_report(llamacloud, folder)
    browser.get(report.as_uri())

    # Every file, its name as text.
    paths = browser.execute_script(VISIBLE_PATHS)
    assert paths == [entry["path"] for entry in entries]
    assert_nothing_ran(browser)
    # Opened from disk with nothing fetched, the inline style allowed by the page's policy.
    assert browser.execute_script("return performance.getEntriesByType('resource').length;") == 0
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('td.num')).textAlign;"
    ) == "right"
    # The only links are the outputs, inside the folder.
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'), a => a.href);"
    )
    outputs = [entry["output"] for entry in entries if entry["output"]]
    assert len(hrefs) == len(outputs)
    assert all(href.startswith(folder.as_uri() + "/") for href in hrefs), hrefs
    assert folder.as_uri() + "/javascript%3Aalert%287%29" in hrefs

    # The status filter.
    failed = [entry["path"] for entry in entries if entry["job_status"] == "FAILED"]
    Select(browser.find_element(By.ID, "status-filter")).select_by_value("FAILED")
    assert browser.execute_script(VISIBLE_PATHS) == failed
    shown = browser.find_element(By.ID, "shown").text
    assert shown == f"{len(failed)} of 1000 files shown"

    # The text filter, over the status filter and then alone.
    search = browser.find_element(By.ID, "text-filter")
    search.send_keys("file-0012")
    assert browser.execute_script(VISIBLE_PATHS) == [p for p in failed if "file-0012" in p]
    Select(browser.find_element(By.ID, "status-filter")).select_by_value("")
    expected = [f"docs/file-{index:05}.pdf" for index in range(120, 130)]
    assert browser.execute_script(VISIBLE_PATHS) == expected
    search.clear()
    search.send_keys("<script>")
    assert browser.execute_script(VISIBLE_PATHS) == [HOSTILE_NAMES[1], HOSTILE_NAMES[3]]
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.DELETE)
    assert len(browser.execute_script(VISIBLE_PATHS)) == 1000

    # Sorting, from the keyboard: credits descending after two presses.
    credits = browser.find_element(By.CSS_SELECTOR, "button[data-key='credits']")
    credits.send_keys(Keys.ENTER)
    credits.send_keys(Keys.ENTER)
    header = browser.find_element(By.CSS_SELECTOR, "th:has(button[data-key='credits'])")
    assert header.get_attribute("aria-sort") == "descending"
    shown_credits = browser.execute_script(
        "return Array.from(document.querySelectorAll('#files tbody tr'),"
        " row => row.cells[3].textContent);"
    )
    assert [float(value) for value in shown_credits] == sorted(
        (entry["credits"] for entry in entries), reverse=True
    )
    # Files without an error sort after those with one.
    browser.find_element(By.CSS_SELECTOR, "button[data-key='error']").click()
    errors = browser.execute_script(
        "return Array.from(document.querySelectorAll('#files tbody tr'),"
        " row => row.cells[5].textContent);"
    )
    assert errors[: len(failed)] == sorted(errors[: len(failed)]) and all(errors[: len(failed)])
    assert not any(errors[len(failed) :])
    browser.find_element(By.CSS_SELECTOR, "button[data-key='path']").click()
    assert browser.execute_script(VISIBLE_PATHS) == sorted(entry["path"] for entry in entries)

    # The hostile document previews as text.
    browser.execute_script("window.scrollTo(0, 0);")
    browser.find_element(By.CSS_SELECTOR, "button[data-preview='0']").click()
    preview = browser.find_element(By.ID, "preview-text")
    assert preview.is_displayed()
    assert browser.execute_script("return arguments[0].textContent;", preview) == HOSTILE_DOCUMENT
    assert_nothing_ran(browser)
    # A plain document, as a reader sees it.
    Select(browser.find_element(By.ID, "status-filter")).select_by_value("COMPLETED")
    browser.find_element(By.ID, "text-filter").send_keys("file-0001")
    browser.find_element(By.CSS_SELECTOR, "button[data-preview='12']").click()
    assert browser.find_element(By.ID, "preview-text").text.startswith("# Document 12")
    screenshot("report")

    # A link to an output with a space, `#`, `?`, `%` and accents opens that file.
    search = browser.find_element(By.ID, "text-filter")
    search.clear()
    search.send_keys("file-00008")
    link = browser.find_element(By.XPATH, "//a[text()='out/a #1?%20 été.md']")
    link.click()
    assert browser.find_element(By.TAG_NAME, "body").text == "# Encoded"


def test_report_of_10000_files_load_time(browser, llamacloud, tmp_path):
    folder = tmp_path / "export"
    make_export(folder, files=10_000, documents=2_000)
    report = write_report(llamacloud, folder)
    browser.get(report.as_uri())
    # From navigation start to the frame after load: parsing, the script's setup, layout
    # and the first paint of the table.
    rendered = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));"
    )
    navigation = browser.execute_script(
        "const entry = performance.getEntriesByType('navigation')[0];"
        "return [entry.domContentLoadedEventEnd, entry.loadEventEnd];"
    )
    filtered = browser.execute_script(
        "const select = document.getElementById('status-filter');"
        "const start = performance.now();"
        "select.value = 'FAILED'; select.dispatchEvent(new Event('change'));"
        "document.body.offsetHeight;"
        "return performance.now() - start;"
    )
    sorted_ms = browser.execute_script(
        "const start = performance.now();"
        "document.querySelector(\"button[data-key='credits']\").click();"
        "document.body.offsetHeight;"
        "return performance.now() - start;"
    )
    assert browser.execute_script(f"return document.querySelectorAll('{ROWS}').length;") == 10_000
    size = report.stat().st_size / 1024 / 1024
    print(
        f"\nreport of 10,000 files ({size:.1f} MiB): DOMContentLoaded {navigation[0]:.0f} ms, "
        f"load {navigation[1]:.0f} ms, rendered {rendered:.0f} ms; "
        f"status filter {filtered:.0f} ms, sort {sorted_ms:.0f} ms"
    )
