"""Racy thread programs in the classic bug classes, each with a fixed twin.

Each scenario asserts its own invariant, so a schedule that breaks it ends in an exception
(an outcome the exploration counts as failing). ``PROGRAMS`` maps a name to ``(buggy, fixed)``.
The shared state is made inside the scenario: fresh for every schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Scenario = Callable[[Any], Any]


# --- lost update: read, then write back ------------------------------------------------------


def lost_update(steps: Any) -> None:
    counter = {"n": 0}

    def increment(who: str) -> None:
        with steps.step(f"{who} reads"):
            seen = counter["n"]
        with steps.step(f"{who} writes"):
            counter["n"] = seen + 1

    steps.run_threads(increment, "a", "b")
    assert counter["n"] == 2, f"lost update: {counter['n']}"


def lost_update_fixed(steps: Any) -> None:
    counter = {"n": 0}
    lock = steps.lock("counter")

    def increment(who: str) -> None:
        with lock:
            with steps.step(f"{who} reads"):
                seen = counter["n"]
            with steps.step(f"{who} writes"):
                counter["n"] = seen + 1

    steps.run_threads(increment, "a", "b")
    assert counter["n"] == 2, f"lost update: {counter['n']}"


# --- lost update in a loop (repeated steps) ----------------------------------------------------


def loop_increment(steps: Any) -> None:
    counter = {"n": 0}

    def increment_twice(who: str) -> None:
        for _ in range(2):
            with steps.step(f"{who} reads"):
                seen = counter["n"]
            with steps.step(f"{who} writes"):
                counter["n"] = seen + 1

    steps.run_threads(increment_twice, "a", "b")
    assert counter["n"] == 4, f"lost update: {counter['n']}"


def loop_increment_fixed(steps: Any) -> None:
    counter = {"n": 0}

    def increment_twice(who: str) -> None:
        for _ in range(2):
            with steps.step(f"{who} increments"):  # read and write in one step
                counter["n"] += 1

    steps.run_threads(increment_twice, "a", "b")
    assert counter["n"] == 4, f"lost update: {counter['n']}"


# --- check-then-act: overdraft -----------------------------------------------------------------


def overdraft(steps: Any) -> None:
    account = {"balance": 100}

    def withdraw(who: str) -> None:
        with steps.step(f"{who} checks"):
            enough = account["balance"] >= 80
        if enough:
            with steps.step(f"{who} withdraws"):
                account["balance"] -= 80

    steps.run_threads(withdraw, "a", "b")
    assert account["balance"] >= 0, f"overdrawn: {account['balance']}"


def overdraft_fixed(steps: Any) -> None:
    account = {"balance": 100}
    lock = steps.lock("account")

    def withdraw(who: str) -> None:
        with lock:
            with steps.step(f"{who} checks"):
                enough = account["balance"] >= 80
            if enough:
                with steps.step(f"{who} withdraws"):
                    account["balance"] -= 80

    steps.run_threads(withdraw, "a", "b")
    assert account["balance"] >= 0, f"overdrawn: {account['balance']}"


# --- double-checked initialisation -------------------------------------------------------------


def double_init(steps: Any) -> None:
    made: list[object] = []
    box: dict[str, object] = {}

    def get(who: str) -> None:
        with steps.step(f"{who} checks"):
            missing = "instance" not in box
        if missing:
            with steps.step(f"{who} creates"):
                made.append(object())
                box["instance"] = made[-1]

    steps.run_threads(get, "a", "b")
    assert len(made) == 1, f"{len(made)} instances made"


def double_init_fixed(steps: Any) -> None:
    made: list[object] = []
    box: dict[str, object] = {}
    lock = steps.lock("init")

    def get(who: str) -> None:
        with steps.step(f"{who} checks"):
            missing = "instance" not in box
        if missing:
            with lock:
                with steps.step(f"{who} checks again"):
                    missing = "instance" not in box
                if missing:
                    with steps.step(f"{who} creates"):
                        made.append(object())
                        box["instance"] = made[-1]

    steps.run_threads(get, "a", "b")
    assert len(made) == 1, f"{len(made)} instances made"


# --- an invariant across two fields ------------------------------------------------------------


def torn_transfer(steps: Any) -> None:
    accounts = {"x": 50, "y": 50}
    seen: list[int] = []

    def work(who: str) -> None:
        if who == "mover":
            with steps.step("mover debits"):
                accounts["x"] -= 10
            with steps.step("mover credits"):
                accounts["y"] += 10
        else:
            with steps.step("auditor reads x"):
                x = accounts["x"]
            with steps.step("auditor reads y"):
                seen.append(x + accounts["y"])

    steps.run_threads(work, "mover", "auditor")
    assert seen == [100], f"the auditor saw a total of {seen}"


def torn_transfer_fixed(steps: Any) -> None:
    accounts = {"x": 50, "y": 50}
    seen: list[int] = []
    lock = steps.lock("accounts")

    def work(who: str) -> None:
        with lock:
            if who == "mover":
                with steps.step("mover debits"):
                    accounts["x"] -= 10
                with steps.step("mover credits"):
                    accounts["y"] += 10
            else:
                with steps.step("auditor reads x"):
                    x = accounts["x"]
                with steps.step("auditor reads y"):
                    seen.append(x + accounts["y"])

    steps.run_threads(work, "mover", "auditor")
    assert seen == [100], f"the auditor saw a total of {seen}"


# --- lock-order deadlock -----------------------------------------------------------------------


def lock_order(steps: Any) -> None:
    first, second = steps.lock("first"), steps.lock("second")

    def transfer(who: str) -> None:
        one, other = (first, second) if who == "a" else (second, first)
        with one:
            with steps.step(f"{who} holds one"):
                pass
            with other:
                pass

    steps.run_threads(transfer, "a", "b")


def lock_order_fixed(steps: Any) -> None:
    first, second = steps.lock("first"), steps.lock("second")

    def transfer(who: str) -> None:
        with first:  # one global order
            with steps.step(f"{who} holds one"):
                pass
            with second:
                pass

    steps.run_threads(transfer, "a", "b")


# --- missed notify -----------------------------------------------------------------------------


def missed_notify(steps: Any) -> None:
    condition = steps.condition(name="ready")
    state = {"ready": False}

    def work(who: str) -> None:
        if who == "consumer":
            with steps.step("consumer checks"):
                ready = state["ready"]  # checked outside the lock
            if not ready:
                with condition:
                    condition.wait()
        else:
            with condition:
                state["ready"] = True
                condition.notify_all()

    steps.run_threads(work, "consumer", "producer")


def missed_notify_fixed(steps: Any) -> None:
    condition = steps.condition(name="ready")
    state = {"ready": False}

    def work(who: str) -> None:
        if who == "consumer":
            with condition:
                condition.wait_for(lambda: state["ready"])
        else:
            with condition:
                state["ready"] = True
                condition.notify_all()

    steps.run_threads(work, "consumer", "producer")


# --- event clear/set race ----------------------------------------------------------------------


def event_clear_race(steps: Any) -> None:
    event = steps.event("items")
    items: list[int] = []
    taken: list[int] = []

    def work(who: str) -> None:
        if who == "producer":
            for item in (1, 2):
                with steps.step("producer puts"):
                    items.append(item)
                    event.set()
        else:
            for _ in (1, 2):
                event.wait()
                with steps.step("consumer takes"):
                    event.clear()  # a set that came before this clear is lost
                    taken.append(items.pop(0))

    steps.run_threads(work, "producer", "consumer")
    assert taken == [1, 2]


def event_clear_race_fixed(steps: Any) -> None:
    event = steps.event("items")
    items: list[int] = []
    taken: list[int] = []

    def work(who: str) -> None:
        if who == "producer":
            for item in (1, 2):
                with steps.step("producer puts"):
                    items.append(item)
                    event.set()
        else:
            while len(taken) < 2:
                with steps.step("consumer looks"):
                    event.clear()  # clear first, then look: a later put sets it again
                    available = list(items)
                    del items[:]
                    taken.extend(available)
                if not available:
                    event.wait()

    steps.run_threads(work, "producer", "consumer")
    assert taken == [1, 2]


# --- unsafe publication: the flag before the data ----------------------------------------------


def publication(steps: Any) -> None:
    shared: dict[str, Any] = {"ready": False, "config": None}
    seen: list[Any] = []

    def work(who: str) -> None:
        if who == "writer":
            with steps.step("writer publishes"):
                shared["ready"] = True
            with steps.step("writer fills"):
                shared["config"] = {"port": 80}
        else:
            with steps.step("reader polls"):
                if shared["ready"]:
                    seen.append(shared["config"])

    steps.run_threads(work, "writer", "reader")
    assert None not in seen, "read the configuration before it was filled"


def publication_fixed(steps: Any) -> None:
    shared: dict[str, Any] = {"ready": False, "config": None}
    seen: list[Any] = []

    def work(who: str) -> None:
        if who == "writer":
            with steps.step("writer fills"):
                shared["config"] = {"port": 80}
            with steps.step("writer publishes"):
                shared["ready"] = True
        else:
            with steps.step("reader polls"):
                if shared["ready"]:
                    seen.append(shared["config"])

    steps.run_threads(work, "writer", "reader")
    assert None not in seen, "read the configuration before it was filled"


# --- bounded buffer overflow (check-then-act on a capacity) ------------------------------------


def bounded_buffer(steps: Any) -> None:
    buffer: list[str] = ["x"]
    capacity = 2

    def put(who: str) -> None:
        with steps.step(f"{who} checks room"):
            room = len(buffer) < capacity
        if room:
            with steps.step(f"{who} appends"):
                buffer.append(who)

    steps.run_threads(put, "a", "b")
    assert len(buffer) <= capacity, f"{len(buffer)} items in a buffer of {capacity}"


def bounded_buffer_fixed(steps: Any) -> None:
    buffer: list[str] = ["x"]
    capacity = 2
    lock = steps.lock("buffer")

    def put(who: str) -> None:
        with lock:
            with steps.step(f"{who} checks room"):
                room = len(buffer) < capacity
            if room:
                with steps.step(f"{who} appends"):
                    buffer.append(who)

    steps.run_threads(put, "a", "b")
    assert len(buffer) <= capacity, f"{len(buffer)} items in a buffer of {capacity}"


# --- use after close ---------------------------------------------------------------------------


def use_after_close(steps: Any) -> None:
    connection = {"open": True, "sent": 0}

    def work(who: str) -> None:
        if who == "sender":
            with steps.step("sender checks open"):
                is_open = connection["open"]
            if is_open:
                with steps.step("sender sends"):
                    assert connection["open"], "sent on a closed connection"
                    connection["sent"] += 1
        else:
            with steps.step("closer closes"):
                connection["open"] = False

    steps.run_threads(work, "sender", "closer")


def use_after_close_fixed(steps: Any) -> None:
    connection = {"open": True, "sent": 0}
    lock = steps.lock("connection")

    def work(who: str) -> None:
        if who == "sender":
            with lock:
                with steps.step("sender checks open"):
                    is_open = connection["open"]
                if is_open:
                    with steps.step("sender sends"):
                        assert connection["open"], "sent on a closed connection"
                        connection["sent"] += 1
        else:
            with lock, steps.step("closer closes"):
                connection["open"] = False

    steps.run_threads(work, "sender", "closer")


PROGRAMS: dict[str, tuple[Scenario, Scenario]] = {
    "lost update": (lost_update, lost_update_fixed),
    "lost update in a loop": (loop_increment, loop_increment_fixed),
    "check-then-act overdraft": (overdraft, overdraft_fixed),
    "double-checked init": (double_init, double_init_fixed),
    "invariant across two fields": (torn_transfer, torn_transfer_fixed),
    "lock-order deadlock": (lock_order, lock_order_fixed),
    "missed notify": (missed_notify, missed_notify_fixed),
    "event clear/set race": (event_clear_race, event_clear_race_fixed),
    "publication before fill": (publication, publication_fixed),
    "bounded buffer overflow": (bounded_buffer, bounded_buffer_fixed),
    "use after close": (use_after_close, use_after_close_fixed),
}
