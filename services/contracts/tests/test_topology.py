from contracts import EVENT_TYPES
from contracts.topology import PUBLISHES, QUEUES, queue, queues_of


def test_every_published_event_is_consumed_by_some_queue() -> None:
    consumed = {spec.event_type for spec in QUEUES}
    for service, event_types in PUBLISHES.items():
        for event_type in event_types:
            assert event_type in consumed, f"{service} publishes {event_type} and no queue binds it"


def test_every_binding_matches_an_event_that_exists_and_is_published() -> None:
    published = {event_type for types in PUBLISHES.values() for event_type in types}
    for spec in QUEUES:
        assert spec.event_type in EVENT_TYPES, spec
        assert spec.event_type in published, f"{spec.name} waits for an event nobody publishes"


def test_queue_names_are_unique_and_owned_by_their_service() -> None:
    names = [spec.name for spec in QUEUES]
    assert len(names) == len(set(names))
    for spec in QUEUES:
        assert spec.name.startswith(f"{spec.service}.")
        assert spec.dead_letter_queue == f"{spec.name}.dlq"


def test_a_service_never_consumes_its_own_events() -> None:
    for spec in QUEUES:
        assert spec.event_type not in PUBLISHES.get(spec.service, ())


def test_lookup_helpers() -> None:
    assert queue("routing.request-submitted").event_type == "request.submitted.v1"
    assert {spec.service for spec in queues_of("notify")} == {"notify"}
