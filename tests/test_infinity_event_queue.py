"""EventQueue: bounded, merging the roster updates that wait, never dropping an event."""

from __future__ import annotations

import threading
import time

from kiosk.infinity.event_queue import EventQueue
from kiosk.infinity.models import Event


def update(uuid: str, name: str) -> Event:
    return Event("participant_update", {"uuid": uuid, "display_name": name})


def test_updates_of_one_participant_merge_and_the_newest_wins_in_its_place() -> None:
    queue = EventQueue(on_ready=lambda: None, capacity=10)
    for event in (update("a", "A1"), Event("participant_delete", {"uuid": "b"}),
                  update("a", "A2"), Event("conference_update", {"locked": True}),
                  update("c", "C1"), Event("conference_update", {"started": False}),
                  update("a", "A3")):
        assert queue.put(event)
    taken = queue.take(100)
    assert [(e.name, e.data) for e in taken] == [
        ("participant_delete", {"uuid": "b"}),
        ("participant_update", {"uuid": "c", "display_name": "C1"}),
        ("conference_update", {"locked": True, "started": False}),  # field by field
        ("participant_update", {"uuid": "a", "display_name": "A3"}),
    ]
    assert queue.merged == 3


def test_a_deleted_participant_that_comes_back_is_kept_after_the_delete() -> None:
    queue = EventQueue(on_ready=lambda: None)
    queue.put(update("a", "old"))
    queue.put(Event("participant_delete", {"uuid": "a"}))
    queue.put(update("a", "new"))
    assert [e.name for e in queue.take(10)] == ["participant_delete", "participant_update"]


def test_a_full_queue_makes_the_producer_wait_and_loses_nothing() -> None:
    ready = threading.Event()
    queue = EventQueue(on_ready=ready.set, capacity=5)
    produced: list[int] = []

    def produce() -> None:
        for index in range(50):
            assert queue.put(Event("message_received", {"n": index}))
            produced.append(index)

    producer = threading.Thread(target=produce)
    producer.start()
    assert ready.wait(5)
    time.sleep(0.2)
    assert len(queue) == 5 and len(produced) == 5  # waiting for room
    received: list[int] = []
    while len(received) < 50:
        received += [e.data["n"] for e in queue.take(3)]
        time.sleep(0.001)
    producer.join(5)
    assert received == list(range(50))
    assert queue.high_water == 5 and queue.waited > 0


def test_closing_releases_a_waiting_producer() -> None:
    queue = EventQueue(on_ready=lambda: None, capacity=1)
    queue.put(Event("x"))
    results: list[bool] = []
    producer = threading.Thread(target=lambda: results.append(queue.put(Event("y"))))
    producer.start()
    time.sleep(0.1)
    queue.close()
    producer.join(2)
    assert results == [False]
    assert queue.put(Event("z")) is False and len(queue) == 0


def test_the_consumer_is_signalled_once_per_emptying() -> None:
    signals: list[int] = []
    queue = EventQueue(on_ready=lambda: signals.append(1))
    queue.put(Event("a"))
    queue.put(Event("b"))
    assert len(signals) == 1
    queue.take(1)
    queue.put(Event("c"))
    assert len(signals) == 1  # not emptied yet: the consumer is still at it
    queue.take(10)
    queue.put(Event("d"))
    assert len(signals) == 2
