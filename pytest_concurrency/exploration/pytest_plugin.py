"""The pytest face of exploration: the ``explore`` marker, the ``steps`` fixture, the options.

A test marked ``@pytest.mark.explore(...)`` that asks for ``steps`` is the scenario: its body
runs once per schedule (fixtures are set up once for the test, so the body builds its own
state), and the report of a failing exploration is the test's failure. An async test that does
not ask for ``steps`` explores the orders of its ready callbacks instead, on the
``ready-callback`` loop flavour (skipped on other loops, saying why).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Generator
from typing import Any

import pytest

from . import record, runner
from .loop import explore_ready, why_not_ready_choice
from .report import Exploration
from .runner import MODES, explore, explore_async

__all__ = ["add_options", "pytest_configure", "pytest_runtest_call", "steps"]

_MARK_KEYWORDS = ("mode", "runs", "max_preemptions", "seed", "replay")


def add_options(parser: pytest.Parser) -> None:
    """``--explore-seed`` (ini ``explore_seed``) and ``--explore-replay=NODEID=SCHEDULE``."""
    group = parser.getgroup("concurrency", "concurrency testing (pytest-concurrency-specs)")
    group.addoption(
        "--explore-seed",
        dest="explore_seed",
        metavar="SEED",
        default=None,
        help="seed (an integer) of the random and pct exploration modes, for every explore "
        "test (default: derived from each test's node id and pytest-randomly's seed)",
    )
    parser.addini("explore_seed", help="default for --explore-seed", default="")
    # No ini twin: a schedule belongs to one test, and is given to rerun it.
    group.addoption(
        "--explore-replay",
        dest="explore_replay",
        metavar="NODEID=SCHEDULE",
        action="append",
        default=[],
        help="run the explore test NODEID on one schedule only: step names joined by | (as "
        "the failure report prints it); may be given once per test",
    )


def pytest_configure(config: pytest.Config) -> None:
    text = config.getoption("explore_seed", None)
    if text is None:
        text = str(config.getini("explore_seed") or "").strip() or None
    if text is not None:
        try:
            runner.session_seed = int(str(text), 0)
        except ValueError:
            raise pytest.UsageError(f"--explore-seed takes an integer, got {text!r}") from None
    else:
        runner.session_seed = None
    config.add_cleanup(_forget_seeds)
    for given in config.getoption("explore_replay", None) or []:
        if "=" not in given:
            raise pytest.UsageError(
                f"--explore-replay takes NODEID=SCHEDULE (step names joined by |), got {given!r}"
            )


def _forget_seeds() -> None:
    runner.session_seed = None
    runner.randomly_seed = None


@pytest.fixture
def steps(request: pytest.FixtureRequest) -> Any:
    """What an ``explore``-marked test takes its steps from (the runner passes the real one,
    anew for each schedule)."""
    if request.node.get_closest_marker("explore") is None:
        pytest.fail(
            "the steps fixture is for tests marked @pytest.mark.explore(...)", pytrace=False
        )
    return None


def _options(item: pytest.Function, mark: pytest.Mark) -> dict[str, Any]:
    __tracebackhide__ = True
    if mark.args:
        pytest.fail(f"{item.nodeid}: explore() takes keywords only", pytrace=False)
    unknown = set(mark.kwargs) - set(_MARK_KEYWORDS)
    if unknown:
        pytest.fail(
            f"{item.nodeid}: explore() does not take {sorted(unknown)}; accepted: "
            f"{', '.join(_MARK_KEYWORDS)}",
            pytrace=False,
        )
    options = dict(mark.kwargs)
    if options.get("mode", "exhaustive") not in MODES:
        pytest.fail(
            f"{item.nodeid}: explore(mode={options['mode']!r}); accepted: {', '.join(MODES)}",
            pytrace=False,
        )
    if options.get("seed") is None and options.get("mode") in ("random", "pct"):
        randomly = getattr(item.config.option, "randomly_seed", None)
        runner.randomly_seed = randomly if isinstance(randomly, int) else None
        options["seed"] = runner.default_seed(item.nodeid)
    prefix = f"{item.nodeid}="
    for given in item.config.getoption("explore_replay", None) or []:
        if given.startswith(prefix):
            options["replay"] = given[len(prefix) :]
    return options


def _conclude(item: pytest.Function, result: Exploration) -> None:
    __tracebackhide__ = True
    result.nodeid = item.nodeid
    if result.failures or result.hang is not None or result.truncated:
        pytest.fail(result.report(), pytrace=False)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    # Outermost: every exploration of the test, marked or called by the test itself, is noted
    # in its report for the claims report ("k of n orders", measured here).
    with record.recording() as found:
        try:
            return (yield from _call(item))
        finally:
            if found:
                item.user_properties.append((record.PROPERTY, [record.summary(r) for r in found]))


def _call(item: pytest.Item) -> Generator[None, None, None]:
    mark = item.get_closest_marker("explore")
    if mark is None or not isinstance(item, pytest.Function):
        return (yield)
    options = _options(item, mark)
    original = item.obj

    def bind(kwargs: dict[str, Any], steps: Any) -> dict[str, Any]:
        return {**kwargs, "steps": steps} if "steps" in kwargs else kwargs

    wrapper: Any
    if inspect.iscoroutinefunction(original):
        explores_steps = "steps" in item.fixturenames

        @functools.wraps(original)
        async def async_wrapper(*args: Any, **kwargs: Any) -> None:
            __tracebackhide__ = True
            if not explores_steps:  # no steps: the orders of the ready callbacks
                reason = why_not_ready_choice(asyncio.get_running_loop())
                if reason is not None:
                    pytest.skip(reason)

                async def body() -> Any:
                    return await original(*args, **kwargs)

                _conclude(item, await explore_ready(body, **options))
                return

            async def scenario(steps: Any) -> Any:
                return await original(*args, **bind(kwargs, steps))

            _conclude(item, await explore_async(scenario, **options))

        wrapper = async_wrapper
    else:

        @functools.wraps(original)
        def sync_wrapper(*args: Any, **kwargs: Any) -> None:
            __tracebackhide__ = True

            def scenario(steps: Any) -> Any:
                return original(*args, **bind(kwargs, steps))

            _conclude(item, explore(scenario, **options))

        wrapper = sync_wrapper
    item.obj = wrapper
    try:
        return (yield)
    finally:
        item.obj = original
