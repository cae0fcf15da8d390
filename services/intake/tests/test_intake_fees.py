from datetime import date

import jdatetime
import pytest

from intake.domain.fees import DiscountClaim, DiscountRule, EligibleGroup, price

TEACHERS_DAY_1405 = jdatetime.date(1405, 2, 12).togregorian()


def rule(**overrides: object) -> DiscountRule:
    fields: dict[str, object] = {
        "rule_id": "teachers-1405",
        "name_fa": "روز معلم",
        "group": "teacher",
        "percent": 20,
        "valid_from": "1405/02/12",
        "valid_to": "1405/02/12",
    }
    return DiscountRule.model_validate(fields | overrides)


def claim(group: str = "teacher", proof: str | None = "ID-1") -> DiscountClaim:
    return DiscountClaim(group=EligibleGroup(group), proof_reference=proof)


def test_no_claim_pays_the_catalogue_fee() -> None:
    fee = price(1_500_000, "ARD-201", None, [rule()], TEACHERS_DAY_1405)
    assert fee.total_rials == 1_500_000
    assert fee.discounts == []
    assert fee.claim is None


def test_the_councils_twenty_percent_on_the_day() -> None:
    fee = price(1_500_000, "ARD-201", claim(), [rule()], TEACHERS_DAY_1405)
    assert fee.total_rials == 1_200_000
    assert [(d.rule_id, d.amount_rials) for d in fee.discounts] == [("teachers-1405", 300_000)]
    assert fee.claim == "applied"


@pytest.mark.parametrize(
    ("day", "applies"),
    [
        (jdatetime.date(1405, 2, 11).togregorian(), False),
        (jdatetime.date(1405, 2, 12).togregorian(), True),
        (jdatetime.date(1405, 2, 13).togregorian(), False),
    ],
)
def test_the_jalali_window_is_inclusive_and_exact(day: date, applies: bool) -> None:
    fee = price(1_000_000, "ARD-201", claim(), [rule()], day)
    assert (fee.total_rials == 800_000) is applies
    if not applies:
        assert fee.claim == "the discount is not in force today"
        assert fee.claim_fa


def test_a_window_across_the_new_year() -> None:
    nowruz = rule(valid_from="1404/12/28", valid_to="۱۴۰۵/۰۱/۰۴")
    assert price(100, "X", claim(), [nowruz], jdatetime.date(1405, 1, 1).togregorian()).total_rials == 80
    assert price(100, "X", claim(), [nowruz], jdatetime.date(1405, 1, 5).togregorian()).total_rials == 100


def test_a_claim_without_required_proof_is_explained_not_ignored() -> None:
    fee = price(1_000_000, "ARD-201", claim(proof=None), [rule()], TEACHERS_DAY_1405)
    assert fee.total_rials == 1_000_000
    assert fee.claim == "this discount requires a proof reference"


def test_a_group_without_a_rule_is_explained() -> None:
    fee = price(1_000_000, "ARD-201", claim("army"), [rule()], TEACHERS_DAY_1405)
    assert fee.claim == "no discount exists for this group and service"


def test_a_rule_limited_to_other_services_does_not_apply() -> None:
    fee = price(1_000_000, "ARD-201", claim(), [rule(services=["ARD-202"])], TEACHERS_DAY_1405)
    assert fee.total_rials == 1_000_000


def test_non_stackable_rules_give_the_best_single_discount() -> None:
    rules = [rule(), rule(rule_id="teachers-extra", percent=30)]
    fee = price(1_000_000, "ARD-201", claim(), rules, TEACHERS_DAY_1405)
    assert fee.total_rials == 700_000
    assert [d.rule_id for d in fee.discounts] == ["teachers-extra"]


def test_stackable_rules_add_up_but_never_below_zero() -> None:
    rules = [rule(stackable=True, percent=60), rule(rule_id="teachers-b", stackable=True, percent=70)]
    fee = price(1_000_000, "ARD-201", claim(), rules, TEACHERS_DAY_1405)
    assert fee.total_rials == 0
    assert sum(d.amount_rials for d in fee.discounts) == 1_000_000


def test_rules_refuse_dates_that_are_not_jalali() -> None:
    with pytest.raises(ValueError):
        rule(valid_from="1405/13/01")
