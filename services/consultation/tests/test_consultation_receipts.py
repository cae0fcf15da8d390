from consultation.domain.receipts import LENGTH, display_receipt, new_receipt, parse_receipt, with_check_digit

SAMPLES = [with_check_digit(body) for body in ("1234567890", "9081726354", "5000000001")] + [
    new_receipt() for _ in range(20)
]


def test_a_new_receipt_is_eleven_digits_and_parses() -> None:
    for receipt in SAMPLES:
        assert len(receipt) == LENGTH and receipt.isdigit()
        assert parse_receipt(receipt) == receipt


def test_persian_digits_and_spaces_are_accepted() -> None:
    receipt = SAMPLES[0]
    persian = display_receipt(receipt).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert parse_receipt(persian) == receipt


def test_every_single_digit_error_is_caught() -> None:
    for receipt in SAMPLES:
        for position, digit in enumerate(receipt):
            for other in "0123456789":
                if other != digit:
                    assert parse_receipt(receipt[:position] + other + receipt[position + 1 :]) is None


def test_every_adjacent_transposition_is_caught() -> None:
    for receipt in SAMPLES:
        for i in range(LENGTH - 1):
            if receipt[i] != receipt[i + 1]:
                swapped = receipt[:i] + receipt[i + 1] + receipt[i] + receipt[i + 2 :]
                assert parse_receipt(swapped) is None


def test_wrong_lengths_and_letters_are_refused() -> None:
    assert parse_receipt(SAMPLES[0][:-1]) is None
    assert parse_receipt("abc") is None
