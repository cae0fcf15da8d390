"""The consultation portal in a real headless Chromium against the running system: a resident reads an
open draft on a phone-sized screen, comments on one article through the form and gets a receipt."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from support import System, headless_chromium

from servicekit.auth import Role

pytestmark = pytest.mark.e2e

AXE_DIR = Path(__file__).resolve().parents[1] / ".tools" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4"
MOBILE = "09121234567"
PRIVATE = (MOBILE, "9121234567", "+989121234567", "۰۹۱۲۱۲۳۴۵۶۷")
COMMENT = "پیشنهاد می‌کنم حداقل عرض پیاده‌رو برای استقرار دستفروش سه متر باشد تا رفت‌وآمد سالمندان آسان بماند."
DRAFT: dict[str, Any] = {
    "title_fa": "پیش‌نویس دستورالعمل ساماندهی دستفروشان",
    "summary_fa": "ضوابط استقرار دستفروشان در پیاده‌روها و میدان‌های شهر",
    "authority_fa": "شهرداری اردبیل",
    "category": "ساماندهی مشاغل",
    "stakeholders_fa": ["دستفروشان", "کسبه‌ی پیاده‌روها"],
    "sections": [
        {
            "number": 1,
            "title_fa": "کلیات",
            "articles": [
                {
                    "id": "a-1",
                    "number": 1,
                    "title_fa": "تعریف",
                    "text_fa": "دستفروش کسی است که بساط موقت دارد.",
                },
                {"id": "a-2", "number": 2, "text_fa": "استقرار در پیاده‌روی کمتر از دو متر ممنوع است."},
            ],
        },
        {
            "number": 2,
            "title_fa": "ساعات",
            "articles": [{"id": "a-3", "number": 3, "text_fa": "ساعت فعالیت از ۸ تا ۲۱ است."}],
        },
    ],
}
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with headless_chromium("412,915") as driver:
        driver.set_script_timeout(60)
        yield driver


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core from npm, installed once into the git-ignored `.tools/axe`."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: the accessibility check with axe-core cannot run")
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE_DIR),
                "--no-save",
                "--no-audit",
                "--no-fund",
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def draft_id(system: System) -> str:
    base = f"{system.url('consultation')}/v1/drafts"
    created = httpx.post(base, json=DRAFT, headers=system.staff(Role.AUTHOR), timeout=10)
    assert created.status_code == 201, created.text
    found = str(created.json()["id"])
    approver = system.staff(Role.APPROVER)
    approved = httpx.post(f"{base}/{found}/approve", headers=approver, timeout=10)
    assert approved.status_code == 200, approved.text
    opened = httpx.post(f"{base}/{found}/open", json={"days": 14}, headers=approver, timeout=10)
    assert opened.status_code == 200, opened.text
    return found


def _follow(driver: WebDriver, element: Any, done: tuple[str, str]) -> None:
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait = WebDriverWait(driver, 10)
    wait.until(expected_conditions.staleness_of(page))
    wait.until(expected_conditions.presence_of_element_located(done))


def _accessible(driver: WebDriver, axe: str) -> list[dict[str, Any]]:
    driver.execute_script(axe)
    violations: list[dict[str, Any]] = driver.execute_async_script(AXE_RUN)
    return [found for found in violations if found["impact"] in {"serious", "critical"}]


def _screenshot(driver: WebDriver, path: Path) -> None:
    assert driver.save_screenshot(str(path))
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and path.stat().st_size > 1_000
    print(f"screenshot: {path}")


def _fill_comment(driver: WebDriver) -> None:
    driver.find_element(By.CSS_SELECTOR, "label[for=stance-against]").click()
    driver.find_element(By.ID, "text_fa").send_keys(COMMENT)
    driver.find_element(By.CSS_SELECTOR, "label[for=submitter-individual]").click()
    driver.find_element(By.ID, "name").send_keys("زهرا احمدی")
    driver.find_element(By.ID, "contact").send_keys(MOBILE)


def test_a_resident_comments_on_an_article_through_the_portal(
    system: System, draft_id: str, browser: WebDriver, axe_source: str, tmp_path: Path
) -> None:
    base = system.url("consultation")
    browser.get(f"{base}/consultations")
    html = browser.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fa", "rtl")
    card = browser.find_element(By.XPATH, f"//li[h2/a[@href='/consultations/{draft_id}']]")
    assert "همه مناطق" in card.text and re.search(r"[۰-۹]+ روز مانده", card.text)
    assert _accessible(browser, axe_source) == []
    _screenshot(browser, tmp_path / "portal-list.png")

    _follow(browser, card.find_element(By.TAG_NAME, "a"), (By.ID, "article-a-2"))
    _screenshot(browser, tmp_path / "portal-draft.png")
    assert browser.find_element(By.TAG_NAME, "h1").text == DRAFT["title_fa"]
    assert "ماده ۳" in browser.find_element(By.ID, "article-a-3").text
    _follow(browser, browser.find_element(By.CSS_SELECTOR, "#article-a-2 a.comment-on"), (By.ID, "text_fa"))
    assert (
        Select(browser.find_element(By.ID, "article_id")).first_selected_option.get_attribute("value")
        == "a-2"
    )
    assert _accessible(browser, axe_source) == []

    _fill_comment(browser)
    _screenshot(browser, tmp_path / "portal-form.png")
    contact = browser.find_element(By.ID, "contact")
    page = browser.find_element(By.TAG_NAME, "html")
    contact.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(expected_conditions.staleness_of(page))
    receipt = browser.find_element(By.CSS_SELECTOR, ".receipt").text
    assert re.fullmatch(r"[۰-۹]{4} [۰-۹]{3} [۰-۹]{4}", receipt), receipt
    assert MOBILE not in browser.page_source
    _screenshot(browser, tmp_path / "portal-receipt.png")
    assert _accessible(browser, axe_source) == []

    published = httpx.get(
        f"{base}/v1/consultations/{draft_id}/comments", params={"article_id": "a-2"}, timeout=10
    )
    assert [item["text_fa"] for item in published.json()["items"]] == [COMMENT]
    assert not any(value in published.text for value in PRIVATE)

    browser.get(f"{base}/consultations/{draft_id}/comments?article=a-2")
    assert COMMENT in browser.find_element(By.CSS_SELECTOR, ".comments").text
    assert "زهرا احمدی" in browser.page_source
    assert not any(value in browser.page_source for value in PRIVATE)
    assert _accessible(browser, axe_source) == []
    browser.get(f"{base}/consultations/{draft_id}")
    assert "دیدگاه‌ها (۱)" in browser.find_element(By.ID, "article-a-2").text
    browser.find_element(By.CSS_SELECTOR, 'footer a[href="/privacy"]').click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "بیانیه‌ی حریم خصوصی"
    assert _accessible(browser, axe_source) == []


def test_the_portal_refuses_forged_posts_and_sends_its_headers(system: System, draft_id: str) -> None:
    page_url = f"{system.url('consultation')}/consultations/{draft_id}"
    page = httpx.get(page_url, timeout=10)
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'none'" in page.headers["content-security-policy"]
    forged = httpx.post(page_url, data={"stance": "for", "text_fa": "جعلی"}, timeout=10)
    assert forged.status_code == 403 and "فرم" in forged.text
    listed = httpx.get(f"{system.url('consultation')}/v1/consultations/{draft_id}/comments", timeout=10)
    assert "جعلی" not in json.dumps(listed.json(), ensure_ascii=False)
