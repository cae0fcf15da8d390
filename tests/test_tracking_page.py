"""The citizen's tracking page in a real headless Chromium against the running system."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait
from stdnum import verhoeff
from support import System, eventually, file_request, headless_chromium, read_request

pytestmark = pytest.mark.e2e

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
NOT_FOUND = "درخواستی با این مشخصات یافت نشد"
ROUTED_FA = "ارجاع شده به واحد مسئول"
MOBILE_LAST4 = "4567"  # the demo citizen's 09141234567


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with headless_chromium("412,1000") as driver:
        yield driver


@pytest.fixture(scope="module")
def routed(system: System) -> dict[str, object]:
    filed = file_request(system)
    code = str(filed["tracking_code"])
    record: dict[str, object] = eventually(
        lambda: (r := read_request(system, code))["status"] == "routed" and r
    )
    return record


def look_up(driver: WebDriver, code: str, last4: str) -> None:
    for name, value in (("code", code), ("last4", last4)):
        field = driver.find_element(By.ID, name)
        field.clear()
        field.send_keys(value)
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form.lookup button[type=submit]").click()
    wait = WebDriverWait(driver, 10)
    wait.until(expected_conditions.staleness_of(page))
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".result, .notice")))


def another_code(code: str) -> str:
    while True:
        body = str(secrets.randbelow(9 * 10**10) + 10**10)
        candidate = body + str(verhoeff.calc_check_digit(body))
        if candidate != code:
            return candidate


def test_citizen_follows_a_routed_request(
    system: System, routed: dict[str, object], browser: WebDriver, tmp_path: Path
) -> None:
    code = str(routed["tracking_code"])
    browser.get(f"{system.url('intake')}/track")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"

    look_up(browser, code.translate(PERSIAN), MOBILE_LAST4)

    result = browser.find_element(By.CSS_SELECTOR, ".result").text
    assert str(routed["service_name_fa"]) in result
    assert browser.find_element(By.CSS_SELECTOR, ".facts .status").text == ROUTED_FA
    assert browser.find_element(By.CSS_SELECTOR, ".facts .unit").text == routed["unit_name_fa"]
    assert len(browser.find_elements(By.CSS_SELECTOR, ".timeline li")) >= 2
    assert "مریم" not in browser.page_source and "0499370899" not in browser.page_source

    screenshot = tmp_path / "track.png"
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    print(f"screenshot: {screenshot}")

    look_up(browser, code.translate(PERSIAN), "4568")
    assert NOT_FOUND in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".result")

    look_up(browser, another_code(code), MOBILE_LAST4)
    assert NOT_FOUND in browser.find_element(By.CSS_SELECTOR, ".notice").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".result")


def test_wrong_code_and_wrong_digits_answer_alike(system: System, routed: dict[str, object]) -> None:
    code = str(routed["tracking_code"])
    page = f"{system.url('intake')}/track"
    wrong_digits = httpx.get(page, params={"code": code, "last4": "0000"}, timeout=10)
    wrong_code = httpx.get(page, params={"code": another_code(code), "last4": MOBILE_LAST4}, timeout=10)
    for response in (wrong_digits, wrong_code):
        assert response.status_code == 404
        assert NOT_FOUND in response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
