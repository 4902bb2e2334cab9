"""Racy asyncio programs in the classic bug classes, each with a fixed twin.

A step marks an ``await`` in the real program: the point where another task may run. Each
scenario asserts its own invariant. ``PROGRAMS`` maps a name to ``(buggy, fixed)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Scenario = Callable[[Any], Awaitable[Any]]


# --- lost update across an await ---------------------------------------------------------------


async def lost_update(steps: Any) -> None:
    counter = {"n": 0}

    async def increment(who: str) -> None:
        async with steps.step(f"{who} reads"):
            seen = counter["n"]
        async with steps.step(f"{who} writes"):  # after an await: another task ran
            counter["n"] = seen + 1

    await steps.run_tasks(increment, "a", "b")
    assert counter["n"] == 2, f"lost update: {counter['n']}"


async def lost_update_fixed(steps: Any) -> None:
    counter = {"n": 0}

    async def increment(who: str) -> None:
        async with steps.step(f"{who} increments"):  # no await between read and write
            counter["n"] += 1

    await steps.run_tasks(increment, "a", "b")
    assert counter["n"] == 2, f"lost update: {counter['n']}"


# --- check-then-act across an await ------------------------------------------------------------


async def overdraft(steps: Any) -> None:
    account = {"balance": 100}

    async def withdraw(who: str) -> None:
        async with steps.step(f"{who} checks"):
            enough = account["balance"] >= 80
        if enough:
            async with steps.step(f"{who} withdraws"):
                account["balance"] -= 80

    await steps.run_tasks(withdraw, "a", "b")
    assert account["balance"] >= 0, f"overdrawn: {account['balance']}"


async def overdraft_fixed(steps: Any) -> None:
    account = {"balance": 100}
    lock = steps.lock("account")

    async def withdraw(who: str) -> None:
        async with lock:
            async with steps.step(f"{who} checks"):
                enough = account["balance"] >= 80
            if enough:
                async with steps.step(f"{who} withdraws"):
                    account["balance"] -= 80

    await steps.run_tasks(withdraw, "a", "b")
    assert account["balance"] >= 0, f"overdrawn: {account['balance']}"


# --- cache stampede across an await ------------------------------------------------------------


async def cache_stampede(steps: Any) -> None:
    cache: dict[str, str] = {}
    fetches: list[str] = []

    async def get(who: str) -> None:
        async with steps.step(f"{who} looks up"):
            hit = "page" in cache
        if not hit:
            async with steps.step(f"{who} fetches"):  # await the backend
                fetches.append(who)
            async with steps.step(f"{who} stores"):
                cache["page"] = "<html>"

    await steps.run_tasks(get, "a", "b", "c")
    assert len(fetches) == 1, f"the backend was asked {len(fetches)} times"


async def cache_stampede_fixed(steps: Any) -> None:
    cache: dict[str, str] = {}
    fetches: list[str] = []
    lock = steps.lock("page")

    async def get(who: str) -> None:
        async with steps.step(f"{who} looks up"):
            hit = "page" in cache
        if not hit:
            async with lock:
                async with steps.step(f"{who} looks again"):
                    hit = "page" in cache
                if not hit:
                    async with steps.step(f"{who} fetches"):
                        fetches.append(who)
                    async with steps.step(f"{who} stores"):
                        cache["page"] = "<html>"

    await steps.run_tasks(get, "a", "b", "c")
    assert len(fetches) == 1, f"the backend was asked {len(fetches)} times"


# --- double-checked init of a shared client ----------------------------------------------------


async def double_init(steps: Any) -> None:
    made: list[object] = []
    box: dict[str, object] = {}

    async def client(who: str) -> None:
        async with steps.step(f"{who} checks"):
            missing = "client" not in box
        if missing:
            async with steps.step(f"{who} connects"):
                made.append(object())
                box["client"] = made[-1]

    await steps.run_tasks(client, "a", "b")
    assert len(made) == 1, f"{len(made)} clients made"


async def double_init_fixed(steps: Any) -> None:
    made: list[object] = []
    box: dict[str, object] = {}

    async def client(who: str) -> None:
        async with steps.step(f"{who} checks"):
            if "client" not in box:
                box["client"] = None  # claim it before awaiting the connection
                claimed = True
            else:
                claimed = False
        if claimed:
            async with steps.step(f"{who} connects"):
                made.append(object())
                box["client"] = made[-1]

    await steps.run_tasks(client, "a", "b")
    assert len(made) == 1, f"{len(made)} clients made"


# --- an invariant across two fields ------------------------------------------------------------


async def torn_transfer(steps: Any) -> None:
    accounts = {"x": 50, "y": 50}
    seen: list[int] = []

    async def work(who: str) -> None:
        if who == "mover":
            async with steps.step("mover debits"):
                accounts["x"] -= 10
            async with steps.step("mover credits"):
                accounts["y"] += 10
        else:
            async with steps.step("auditor reads x"):
                x = accounts["x"]
            async with steps.step("auditor reads y"):
                seen.append(x + accounts["y"])

    await steps.run_tasks(work, "mover", "auditor")
    assert seen == [100], f"the auditor saw a total of {seen}"


async def torn_transfer_fixed(steps: Any) -> None:
    accounts = {"x": 50, "y": 50}
    seen: list[int] = []
    lock = steps.lock("accounts")

    async def work(who: str) -> None:
        async with lock:
            if who == "mover":
                async with steps.step("mover debits"):
                    accounts["x"] -= 10
                async with steps.step("mover credits"):
                    accounts["y"] += 10
            else:
                async with steps.step("auditor reads x"):
                    x = accounts["x"]
                async with steps.step("auditor reads y"):
                    seen.append(x + accounts["y"])

    await steps.run_tasks(work, "mover", "auditor")
    assert seen == [100], f"the auditor saw a total of {seen}"


# --- lock-order deadlock -----------------------------------------------------------------------


async def lock_order(steps: Any) -> None:
    first, second = steps.lock("first"), steps.lock("second")

    async def transfer(who: str) -> None:
        one, other = (first, second) if who == "a" else (second, first)
        async with one:
            async with steps.step(f"{who} holds one"):
                pass
            async with other:
                pass

    await steps.run_tasks(transfer, "a", "b")


async def lock_order_fixed(steps: Any) -> None:
    first, second = steps.lock("first"), steps.lock("second")

    async def transfer(who: str) -> None:
        async with first:
            async with steps.step(f"{who} holds one"):
                pass
            async with second:
                pass

    await steps.run_tasks(transfer, "a", "b")


# --- missed notify -----------------------------------------------------------------------------


async def missed_notify(steps: Any) -> None:
    condition = steps.condition(name="ready")
    state = {"ready": False}

    async def work(who: str) -> None:
        if who == "consumer":
            async with steps.step("consumer checks"):
                ready = state["ready"]
            if not ready:
                async with condition:
                    await condition.wait()
        else:
            async with condition:
                state["ready"] = True
                condition.notify_all()

    await steps.run_tasks(work, "consumer", "producer")


async def missed_notify_fixed(steps: Any) -> None:
    condition = steps.condition(name="ready")
    state = {"ready": False}

    async def work(who: str) -> None:
        if who == "consumer":
            async with condition:
                await condition.wait_for(lambda: state["ready"])
        else:
            async with condition:
                state["ready"] = True
                condition.notify_all()

    await steps.run_tasks(work, "consumer", "producer")


# --- event clear/set race ----------------------------------------------------------------------


async def event_clear_race(steps: Any) -> None:
    event = steps.event("items")
    items: list[int] = []
    taken: list[int] = []

    async def work(who: str) -> None:
        if who == "producer":
            for item in (1, 2):
                async with steps.step("producer puts"):
                    items.append(item)
                    event.set()
        else:
            for _ in (1, 2):
                await event.wait()
                async with steps.step("consumer takes"):
                    event.clear()
                    taken.append(items.pop(0))

    await steps.run_tasks(work, "producer", "consumer")
    assert taken == [1, 2]


async def event_clear_race_fixed(steps: Any) -> None:
    event = steps.event("items")
    items: list[int] = []
    taken: list[int] = []

    async def work(who: str) -> None:
        if who == "producer":
            for item in (1, 2):
                async with steps.step("producer puts"):
                    items.append(item)
                    event.set()
        else:
            while len(taken) < 2:
                async with steps.step("consumer looks"):
                    event.clear()
                    available = list(items)
                    del items[:]
                    taken.extend(available)
                if not available:
                    await event.wait()

    await steps.run_tasks(work, "producer", "consumer")
    assert taken == [1, 2]


# --- state machine: close while a request is in flight -----------------------------------------


async def close_in_flight(steps: Any) -> None:
    session = {"state": "open", "responses": 0}

    async def work(who: str) -> None:
        if who == "client":
            async with steps.step("client sends"):
                assert session["state"] == "open", "request on a closed session"
            async with steps.step("client reads the response"):  # awaits the reply
                assert session["state"] == "open", "response on a closed session"
                session["responses"] += 1
        else:
            async with steps.step("closer closes"):
                session["state"] = "closed"

    await steps.run_tasks(work, "client", "closer")


async def close_in_flight_fixed(steps: Any) -> None:
    session = {"state": "open", "responses": 0}
    lock = steps.lock("session")

    async def work(who: str) -> None:
        if who == "client":
            async with lock:
                async with steps.step("client sends"):
                    if session["state"] != "open":
                        return
                async with steps.step("client reads the response"):
                    assert session["state"] == "open", "response on a closed session"
                    session["responses"] += 1
        else:
            async with lock, steps.step("closer closes"):
                session["state"] = "closed"

    await steps.run_tasks(work, "client", "closer")


# --- bounded queue overflow --------------------------------------------------------------------


async def bounded_buffer(steps: Any) -> None:
    buffer: list[str] = ["x"]
    capacity = 2

    async def put(who: str) -> None:
        async with steps.step(f"{who} checks room"):
            room = len(buffer) < capacity
        if room:
            async with steps.step(f"{who} appends"):
                buffer.append(who)

    await steps.run_tasks(put, "a", "b")
    assert len(buffer) <= capacity, f"{len(buffer)} items in a buffer of {capacity}"


async def bounded_buffer_fixed(steps: Any) -> None:
    buffer: list[str] = ["x"]
    capacity = 2

    async def put(who: str) -> None:
        async with steps.step(f"{who} checks room and appends"):
            if len(buffer) < capacity:
                buffer.append(who)

    await steps.run_tasks(put, "a", "b")
    assert len(buffer) <= capacity, f"{len(buffer)} items in a buffer of {capacity}"


PROGRAMS: dict[str, tuple[Scenario, Scenario]] = {
    "lost update across an await": (lost_update, lost_update_fixed),
    "check-then-act overdraft": (overdraft, overdraft_fixed),
    "cache stampede across an await": (cache_stampede, cache_stampede_fixed),
    "double-checked init": (double_init, double_init_fixed),
    "invariant across two fields": (torn_transfer, torn_transfer_fixed),
    "lock-order deadlock": (lock_order, lock_order_fixed),
    "missed notify": (missed_notify, missed_notify_fixed),
    "event clear/set race": (event_clear_race, event_clear_race_fixed),
    "close with a request in flight": (close_in_flight, close_in_flight_fixed),
    "bounded buffer overflow": (bounded_buffer, bounded_buffer_fixed),
}
