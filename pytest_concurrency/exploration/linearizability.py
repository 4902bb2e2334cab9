"""Linearizability of a recorded history (Wing and Gong's search, memoised, as in Lowe 2017).

A history is a list of ``("call" | "return", worker, Call)`` events in real-time order (exact:
the explorer runs one worker at a time). It is linearizable if some sequential order of the
operations, in which an operation returned before another was called stays first, makes a fresh
model give every recorded result.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

from .threads import UNSET

__all__ = ["check_history"]


def _state_key(model: Any) -> Any:
    try:
        return pickle.dumps(model, protocol=4)
    except Exception:
        return repr(getattr(model, "__dict__", model))


def _apply(model: Any, call: Any) -> tuple[bool, Any]:
    """Run ``call`` on ``model``; whether it gives the recorded outcome, and the model after."""
    model = copy.deepcopy(model)
    try:
        result = getattr(model, call.name)(*call.args)
    except Exception as error:
        return call.error is not None and type(error) is type(call.error), model
    if call.error is not None:
        return False, model
    return call.result is UNSET or result == call.result, model


def check_history(history: list[tuple[Any, ...]], model_factory: Callable[[], Any]) -> str | None:
    """``None`` if ``history`` is linearizable against ``model_factory()``, else why not."""
    calls: list[Any] = []
    index: dict[int, int] = {}
    returned_at: dict[int, int] = {}
    called_at: dict[int, int] = {}
    for position, (kind, _worker, call) in enumerate(history):
        if id(call) not in index:
            index[id(call)] = len(calls)
            calls.append(call)
        if kind == "call":
            called_at[index[id(call)]] = position
        else:
            returned_at[index[id(call)]] = position
    n = len(calls)
    if n == 0:
        return None
    # An operation that never returned (its worker raised outside it) may take effect or not.
    pending = [i for i in range(n) if i not in returned_at]
    end = len(history)

    def may_go_first(i: int, done: int) -> bool:
        # No operation still to linearize returned before ``i`` was called.
        return all(
            done >> j & 1 or j == i or returned_at.get(j, end) > called_at[i] for j in range(n)
        )

    seen: set[tuple[int, Any]] = set()
    order: list[int] = []
    complete = (1 << n) - 1
    optional = sum(1 << i for i in pending)

    def search(done: int, model: Any) -> bool:
        if done | optional == complete:
            return True
        key = (done, _state_key(model))
        if key in seen:
            return False
        seen.add(key)
        for i in range(n):
            if done >> i & 1 or not may_go_first(i, done):
                continue
            if i in pending:
                ok, after = True, _apply(model, calls[i])[1]
            else:
                ok, after = _apply(model, calls[i])
            if ok:
                order.append(i)
                if search(done | 1 << i, after):
                    return True
                order.pop()
        return False

    if search(0, model_factory()):
        return None
    shown = ", ".join(repr(c) for c in calls)
    return f"no sequential order of [{shown}] consistent with real time gives these results"
