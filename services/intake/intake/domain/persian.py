"""Persian input as people type it: Arabic letters, Persian or Arabic-Indic digits, stray spaces."""

from persiantools import characters, digits

_ZWNJ = "\u200c"


def normalize_text(text: str) -> str:
    """Arabic ي/ك become Persian ی/ک; the zero-width non-joiner stays; ends are trimmed."""
    return characters.ar_to_fa(text).strip()


def ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits become ASCII; everything else is kept."""
    converted: str = digits.fa_to_en(digits.ar_to_fa(text))
    return converted


def normalize_number(text: str) -> str:
    """A typed number (ID, phone, code): ASCII digits, with spaces, dashes and ZWNJ removed."""
    return "".join(ch for ch in ascii_digits(text) if ch not in " -\t" + _ZWNJ)
