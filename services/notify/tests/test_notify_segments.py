import pytest

from notify.domain.segments import SmsSize, analyse

pytestmark = pytest.mark.unit

PERSIAN = "درخواست شما ثبت شد و کد رهگیری آن برای پیگیری ارسال می‌شود "


def persian(length: int) -> str:
    return (PERSIAN * (length // len(PERSIAN) + 1))[:length]


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"), [(1, 1, 70), (70, 1, 70), (71, 2, 67), (134, 2, 67), (135, 3, 67)]
)
def test_persian_is_ucs2(length: int, segments: int, per_segment: int) -> None:
    assert analyse(persian(length)) == SmsSize("ucs2", length, segments, per_segment)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"), [(160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153)]
)
def test_latin_is_gsm7(length: int, segments: int, per_segment: int) -> None:
    assert analyse("a" * length) == SmsSize("gsm7", length, segments, per_segment)


def test_gsm7_basic_set_includes_its_accented_and_greek_letters() -> None:
    assert analyse("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\r\n").encoding == "gsm7"


@pytest.mark.parametrize("char", list("^{}\\[]~|€\f"))
def test_extension_characters_count_two_septets(char: str) -> None:
    assert analyse("a" * 158 + char) == SmsSize("gsm7", 160, 1, 160)
    assert analyse("a" * 159 + char) == SmsSize("gsm7", 161, 2, 153)


def test_an_escape_pair_is_not_split_between_parts() -> None:
    size = analyse("a" * 152 + "€" + "a" * 153)
    assert (size.units, size.segments) == (307, 3)


def test_a_character_outside_gsm7_switches_the_whole_text_to_ucs2() -> None:
    size = analyse("a" * 100 + "ç")
    assert (size.encoding, size.units, size.segments) == ("ucs2", 101, 2)


def test_an_emoji_outside_the_bmp_counts_two_code_units() -> None:
    assert analyse("😀") == SmsSize("ucs2", 2, 1, 70)
    assert analyse("ا" * 68 + "😀") == SmsSize("ucs2", 70, 1, 70)
    assert analyse("ا" * 69 + "😀").segments == 2


def test_a_surrogate_pair_is_not_split_between_parts() -> None:
    size = analyse("ا" * 66 + "😀" + "ا" * 66)
    assert (size.units, size.segments) == (134, 3)


def test_zwnj_and_persian_digits_are_ucs2_single_units() -> None:
    assert analyse("می‌شود ۱۴۰۳") == SmsSize("ucs2", 11, 1, 70)


def test_empty_text_is_no_segment() -> None:
    assert analyse("") == SmsSize("gsm7", 0, 0, 160)
