import json

import pytest

from contracts import EVENT_TYPES, Envelope, EventPayload


def _examples(model: type[EventPayload]) -> list[dict[str, object]]:
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict), f"{model.__name__} has no examples"
    examples = extra["examples"]
    assert isinstance(examples, list) and examples
    return examples


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_example_validates(event_type: str) -> None:
    model = EVENT_TYPES[event_type]
    for example in _examples(model):
        model.model_validate(example)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_event_type_names_carry_a_version(event_type: str) -> None:
    name, _, version = event_type.rpartition(".")
    assert name and version.startswith("v") and version[1:].isdigit()


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_envelope_round_trips_through_json(event_type: str) -> None:
    model = EVENT_TYPES[event_type]
    payload = model.model_validate(_examples(model)[0])
    envelope = Envelope.wrap(payload, producer="test", correlation_id="c-1")
    wire = json.dumps(envelope.to_document())
    again = Envelope[model].model_validate_json(wire)  # type: ignore[valid-type]
    assert again == envelope
    assert again.type == event_type
    assert again.occurred_at.utcoffset() is not None and again.occurred_at.utcoffset().total_seconds() == 0


def test_envelope_rejects_naive_timestamps() -> None:
    model = EVENT_TYPES["request.routed.v1"]
    payload = model.model_validate(_examples(model)[0])
    document = Envelope.wrap(payload, producer="routing", correlation_id="c").to_document()
    document["occurred_at"] = "2026-11-24T08:00:00"
    with pytest.raises(ValueError):
        Envelope[model].model_validate(document)  # type: ignore[valid-type]


def test_contact_never_carries_a_national_id() -> None:
    model = EVENT_TYPES["request.submitted.v1"]
    example = _examples(model)[0]
    example = {**example, "contact": {**example["contact"], "national_id": "0012345679"}}  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        model.model_validate(example)
