"""The harness itself: the emulator binary starts, Chromium opens its console, and a
screenshot is written."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import WAIT


def test_the_console_page_opens(emulator, browser, screenshot):
    browser.get(emulator.base_url + "/")
    WebDriverWait(browser, WAIT).until(expected_conditions.title_is("batches-server console"))
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "batches-server console"
    assert screenshot("harness").stat().st_size > 0
