from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from consultation.domain.document import (
    Article,
    ChangeKind,
    Content,
    Section,
    diff_versions,
    revise,
    start_document,
)
from consultation.domain.errors import Refusal

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def content(*articles: Article) -> Content:
    return Content(
        title_fa="پیش‌نویس دستورالعمل دستفروشان",
        summary_fa="ضوابط استقرار دستفروشان",
        authority_fa="سازمان شهرداری‌ها",
        category="urban-services",
        sections=(Section(number=1, title_fa="کليات", articles=articles),),
    )


A1 = Article(id="a-1", number=1, text_fa="دستفروشی در پیاده‌رو ممنوع است.")
A2 = Article(id="a-2", number=2, title_fa="ساعات", text_fa="ساعت فعالیت ۸ تا ۲۰ است.")
A3 = Article(id="a-3", number=3, text_fa="تخلفات گزارش می‌شود.")


def test_persian_text_is_normalised_and_no_districts_means_city_wide() -> None:
    version = content(A1)
    assert version.sections[0].title_fa == "کلیات"
    assert version.city_wide


def test_duplicate_article_ids_are_refused() -> None:
    with pytest.raises(ValidationError):
        content(A1, A1.model_copy(update={"number": 2}))


def test_every_edit_is_a_new_version_and_old_ones_stay() -> None:
    document = start_document("d-1", content(A1, A2), "staff-1", AT)
    revised = revise(document, content(A1), "staff-2", AT, note="حذف ماده ۲")
    assert [v.number for v in revised.versions] == [1, 2]
    assert len(revised.version(1).content.articles()) == 2
    with pytest.raises(Refusal):
        revised.version(9)


def test_article_diff_tells_added_removed_changed_unchanged() -> None:
    changed = A2.model_copy(update={"text_fa": "ساعت فعالیت ۹ تا ۱۸ است."})
    document = start_document("d-1", content(A1, A2, A3), "staff-1", AT)
    new = Article(id="a-4", number=3, text_fa="عوارض ماهانه است.")
    document = revise(document, content(A1, changed, new), "staff-1", AT)
    diff = diff_versions(document, 1, 2)
    kinds = {change.article_id: change.kind for change in diff.articles}
    assert kinds == {
        "a-1": ChangeKind.UNCHANGED,
        "a-2": ChangeKind.CHANGED,
        "a-4": ChangeKind.ADDED,
        "a-3": ChangeKind.REMOVED,
    }
    text = diff.article("a-2")
    assert text is not None
    assert "-ساعت فعالیت ۸ تا ۲۰ است." in text.diff and "+ساعت فعالیت ۹ تا ۱۸ است." in text.diff
    assert "---" in text.diff
    ndiff = diff_versions(document, 1, 2, style="ndiff").article("a-2")
    assert ndiff is not None and "? " in ndiff.diff
