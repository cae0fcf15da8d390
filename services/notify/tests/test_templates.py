import pytest

from contracts import Language
from notify.domain import placeholders, segments, templates
from notify.domain.templates import DEFAULTS, default_text, tidy, tracking_link

pytestmark = pytest.mark.unit

EVENTS = sorted(set(templates.TEMPLATE_NAMES) - set(templates.STAFF_TEMPLATES))


@pytest.mark.parametrize("language", [Language.FA, Language.EN])
@pytest.mark.parametrize("event_type", EVENTS)
def test_every_citizen_facing_event_has_a_default_that_passes_the_save_check(
    event_type: str, language: Language
) -> None:
    text = DEFAULTS[language][event_type]
    templates.check_text(event_type, text.body)
    assert text.subject
    templates.check_text(event_type, text.subject)


def test_persian_request_texts_fit_in_two_sms_parts() -> None:
    values = {"tracking_code": "140312345678", "tracking_link": "https://pishkhan.ir/t?code=140312345678"}
    text = tidy(placeholders.render(default_text("request.submitted.v1", Language.FA).body, values))
    size = segments.analyse(text)
    assert (size.encoding, size.segments) == ("ucs2", 2)


def test_empty_values_leave_no_blank_lines() -> None:
    assert tidy("a\n\n \nb") == "a\nb"


def test_tracking_link_trims_the_slash() -> None:
    assert tracking_link("https://x/track/", "12") == "https://x/track?code=12"
