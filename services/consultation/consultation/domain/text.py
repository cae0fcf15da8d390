"""Persian text as typed on any keyboard, stored in one form."""

from __future__ import annotations

from persiantools.characters import ar_to_fa


def normalise_fa(text: str) -> str:
    """Arabic ي/ك become Persian ی/ک; the zero-width non-joiner stays; ends are trimmed."""
    normalised: str = ar_to_fa(text)
    return normalised.strip()
