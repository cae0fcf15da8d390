import pytest

from contracts import events
from notify.domain.placeholders import (
    EVENT_PLACEHOLDERS,
    TemplateError,
    check_event_template,
    check_template,
    placeholders,
    render,
)

pytestmark = pytest.mark.unit
ZWNJ = "\u200c"
ROUTED = "درخواست ((tracking_code)) به ((unit_name)) ارجاع شد؛ مهلت رسیدگی ((due_date)) است.\nپیگیری: ((tracking_link))"


def test_placeholders_lists_each_name_once() -> None:
    assert placeholders(ROUTED) == {"tracking_code", "unit_name", "due_date", "tracking_link"}
    assert placeholders("((a)) و ((a))") == {"a"}
    assert placeholders("بدون جای‌خالی (یک پرانتز) و (( ))") == {""}
    assert placeholders("متن ساده") == set()


def test_check_accepts_a_template_within_what_is_available() -> None:
    check_template(ROUTED, EVENT_PLACEHOLDERS["request.routed.v1"])


def test_check_names_the_unknown_placeholders() -> None:
    template = "کد ((tracking_code)) برای ((national_id)) و ((full_name))"
    with pytest.raises(TemplateError, match="full_name, national_id") as error:
        check_template(template, {"tracking_code"})
    assert error.value.names == ("full_name", "national_id")


@pytest.mark.parametrize("name", ["نام", "Title", "1st", "a b", "__class__", ""])
def test_check_refuses_malformed_names(name: str) -> None:
    with pytest.raises(TemplateError, match="malformed"):
        check_template(f"سلام (({name}))", {name})


def test_check_by_event_type() -> None:
    check_event_template("consultation.opened.v1", "نظرخواهی «((title))» تا ((closes_at)): ((url))")
    with pytest.raises(TemplateError, match="unit_name"):
        check_event_template("request.submitted.v1", "به ((unit_name)) ارجاع شد")
    with pytest.raises(KeyError):
        check_event_template("request.unknown.v1", "((tracking_code))")


def test_render_keeps_persian_text_and_zwnj_around_placeholders() -> None:
    template = f"درخواست‌ها{ZWNJ}((tracking_code)){ZWNJ}ی شما می{ZWNJ}شود: ((tracking_link))"
    text = render(template, {"tracking_code": "۱۴۰۳۱۲", "tracking_link": "https://x.example/t"})
    assert text == f"درخواست‌ها{ZWNJ}۱۴۰۳۱۲{ZWNJ}ی شما می{ZWNJ}شود: https://x.example/t"
    assert text.count(ZWNJ) == template.count(ZWNJ)


def test_render_keeps_zwnj_inside_values() -> None:
    value = f"واحد روشنایی{ZWNJ}ها"
    assert render("به ((unit_name))", {"unit_name": value}) == f"به {value}"


def test_render_tolerates_spaces_inside_the_brackets() -> None:
    assert render("کد (( tracking_code ))", {"tracking_code": "1"}) == "کد 1"


def test_render_refuses_a_missing_value() -> None:
    with pytest.raises(TemplateError, match="due_date"):
        render(ROUTED, {"tracking_code": "1", "unit_name": "واحد", "tracking_link": "l"})


def test_render_ignores_extra_values() -> None:
    assert render("کد ((tracking_code))", {"tracking_code": "1", "unused": "x"}) == "کد 1"


def test_values_are_inserted_literally_and_not_expanded_again() -> None:
    values = {"title": "((url)) {0} {title} $1 \\1 %s", "url": "https://x.example"}
    assert render("((title)) | ((url))", values) == "((url)) {0} {title} $1 \\1 %s | https://x.example"


def test_render_evaluates_nothing() -> None:
    template = "((__import__)) {__import__('os')} ((title))"
    with pytest.raises(TemplateError):
        render(template, {"title": "x"})
    assert render("{title.__class__} ((title))", {"title": "x"}) == "{title.__class__} x"


def test_every_event_type_has_a_contract() -> None:
    known = {getattr(cls, "event_type", None) for cls in vars(events).values() if isinstance(cls, type)}
    assert set(EVENT_PLACEHOLDERS) <= known


def test_request_events_offer_the_tracking_code_and_link() -> None:
    for event_type, names in EVENT_PLACEHOLDERS.items():
        if event_type.startswith("request."):
            assert {"tracking_code", "tracking_link"} <= names
    assert EVENT_PLACEHOLDERS["request.submitted.v1"] == {"tracking_code", "tracking_link"}


def test_consultation_events_offer_title_and_url() -> None:
    for event_type, names in EVENT_PLACEHOLDERS.items():
        if event_type.startswith("consultation."):
            assert {"title", "url"} <= names
