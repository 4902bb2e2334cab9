"""Command-line options, their ini twins, and the settings read from them.

Every option has an ini twin of the same name with underscores (``--start-methods`` and
``start_methods``); the command line wins. A bad value is a usage error (exit status 4) that
names what was wrong and what is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from . import executors, loops, timeouts
from .claims.book import DEFAULT_BOOK_URL
from .claims.catalogue import LANGUAGES as CLAIMS_LANGUAGES
from .claims.files import FORMATS, check_path
from .hang_guard import parse_bound
from .hygiene import LEAK_CHECK_MODES

__all__ = ["POOL_REUSE_MODES", "Settings", "add_options", "pool_reuse"]

_OPTIONS = [
    # (option, metavar, help, default for the ini twin)
    (
        "--start-methods",
        "METHODS",
        "comma-separated multiprocessing start methods for process executors "
        f"({', '.join(executors.START_METHODS)}; default: all the platform offers)",
        "",
    ),
    (
        "--executor-kinds",
        "KINDS",
        f"comma-separated executor kinds ({', '.join(executors.CPYTHON_KINDS)}, loky, dask, "
        "or a kind a conftest.py or plugin registers; default: CPython's kinds the platform "
        "offers and the registered ones, but for loky, dask and others registered as opt-in)",
        "",
    ),
    (
        "--loop-flavours",
        "FLAVOURS",
        f"comma-separated event-loop flavours for async tests ({', '.join(loops.FLAVOURS)}, "
        "or all; default: asyncio); the loop_flavours marker overrides it per test",
        "asyncio",
    ),
    (
        "--hang-scale",
        "FACTOR",
        "multiply every hang bound (the waits after which a spec counts as hung) by FACTOR, "
        "for slow machines (default: 1)",
        "1",
    ),
    (
        "--hang-guard",
        "BOUND",
        "fail a test whose setup and call (or teardown) outlast BOUND, with every thread's "
        f"stack in the failure: a tier ({', '.join(timeouts.TIERS)}), seconds, or off; scaled by "
        "--hang-scale; the hang_guard marker overrides it per test (default: off)",
        "off",
    ),
    (
        "--hang-budget",
        "N",
        "once N tests have failed on a bound that ran out, every later bound (hang guard and "
        "teardown included) shrinks to a fifth, so that a run where everything hangs still "
        "ends soon with every verdict; the report says from which test on; off: never "
        "(default: off; this repository's runs use 3)",
        "off",
    ),
    (
        "--leak-check",
        "MODE",
        "what to do when a test leaves threads, child processes or tasks running: "
        f"{', '.join(LEAK_CHECK_MODES)} (default: warn; fail makes it an error of the test)",
        "warn",
    ),
    (
        "--pool-reuse",
        "MODE",
        "on: executor fixtures hand tests warm pools, reused across tests when idle and "
        "healthy; off: a new pool per test, shut down at its end (default: on)",
        "on",
    ),
    (
        "--thread-virtual-time",
        "MODE",
        "on: every test runs as if marked thread_virtual_time, its threads and virtual loop "
        "on one virtual clock (for a suite one cannot mark); off: only marked tests "
        "(default: off)",
        "off",
    ),
    (
        "--claims-report",
        "PATH",
        "write the claims report to PATH at the end of the run, in the format its extension "
        f"names ({', '.join(FORMATS)})",
        "",
    ),
    (
        "--claims-language",
        "LANGUAGE",
        f"the language of the claims' text in --claims, the summary and the report "
        f"({', '.join(CLAIMS_LANGUAGES)}; default: en)",
        "en",
    ),
]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("concurrency", "concurrency testing (pytest-concurrency-specs)")
    for option, metavar, help_text, default in _OPTIONS:
        dest = option.removeprefix("--").replace("-", "_")
        group.addoption(option, dest=dest, metavar=metavar, default=None, help=help_text)
        parser.addini(dest, help=f"default for {option}", default=default)
    # One implementation per run; no ini twin (a conformance run is asked for, not configured).
    group.addoption(
        "--conformance",
        metavar="IMPLEMENTATION",
        default=None,
        help="run the contract specs (marked contract) on one executor kind or loop flavour "
        "only; specs that do not run on it are deselected",
    )
    # Where the project's claims book is published: a setting of the project, not a choice of
    # one run, so an ini value only (empty: failures carry no link).
    parser.addini(
        "claims_book_url",
        help="base URL of the claims book: a failing spec's report links to its claims' pages "
        f"there (default: {DEFAULT_BOOK_URL}; empty: no link)",
        default=DEFAULT_BOOK_URL,
    )
    # A listing instead of a run, like --fixtures; no ini twin, which would stop every run.
    group.addoption(
        "--claims",
        action="store_true",
        default=False,
        help="list the catalogue's claims with the specs that check each, then exit (no run)",
    )


POOL_REUSE_MODES = ("on", "off")


def pool_reuse(config: pytest.Config) -> bool:
    """Whether ``--pool-reuse`` (or its ini twin ``pool_reuse``) lets tests share warm pools."""
    mode = _value(config, "pool_reuse")
    if mode not in POOL_REUSE_MODES:
        raise ValueError(
            f"unknown --pool-reuse mode {mode!r}; accepted: {', '.join(POOL_REUSE_MODES)}"
        )
    return mode == "on"


def _value(config: pytest.Config, name: str) -> str:
    given = config.getoption(name)
    return str(given if given is not None else config.getini(name)).strip()


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class Settings:
    """The run's choices, checked."""

    start_methods: list[str]
    executor_kinds: list[str]
    loop_flavours: list[str]
    hang_scale: float
    leak_check: str
    claims_report: Path | None = None
    pool_reuse: bool = True
    conformance: str | None = None
    hang_guard: float | None = None  # seconds before --hang-scale; None: off
    claims_language: str = "en"
    claims_book_url: str = DEFAULT_BOOK_URL  # "" when failures carry no link to the book

    def selection(self) -> dict[str, list[str]]:
        """What this run selected, as the claims report records it."""
        return {
            "start_methods": list(self.start_methods),
            "executor_kinds": list(self.executor_kinds),
            "loop_flavours": list(self.loop_flavours),
        }

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        try:
            return cls._read(config)
        except ValueError as error:
            raise pytest.UsageError(str(error)) from None

    @classmethod
    def _read(cls, config: pytest.Config) -> Settings:
        offered = executors.available_start_methods()
        methods = executors.validate_start_methods(
            _names(_value(config, "start_methods")) or offered
        )
        methods = [m for m in methods if m in offered]
        # Read after the pytest_concurrency_executor_kinds hook registered its kinds.
        kinds = executors.validate_kinds(
            _names(_value(config, "executor_kinds")) or executors.kinds(default=True)
        )
        kinds = [
            k
            for k in kinds
            if executors.start_method_of(k) is None or executors.start_method_of(k) in methods
        ]
        flavour_names = _names(_value(config, "loop_flavours")) or ["asyncio"]
        if "all" in flavour_names:
            flavour_names = list(loops.FLAVOURS)
        for name in flavour_names:
            loops.flavour(name)  # raises with the accepted names
        conformance = config.getoption("conformance")
        if conformance is not None:
            kinds, flavour_names = _conformance_selection(conformance, kinds, flavour_names)
        scale_text = _value(config, "hang_scale")
        try:
            scale = float(scale_text)
            timeouts.set_scale(scale)
        except ValueError:
            raise ValueError(
                f"--hang-scale takes a positive number such as 2 or 0.5, got {scale_text!r}"
            ) from None
        leak_check = _value(config, "leak_check")
        if leak_check not in LEAK_CHECK_MODES:
            raise ValueError(
                f"unknown --leak-check mode {leak_check!r}; accepted: {', '.join(LEAK_CHECK_MODES)}"
            )
        report_text = _value(config, "claims_report")
        report = check_path(report_text) if report_text else None
        guard = parse_bound(_value(config, "hang_guard"), "--hang-guard")
        language = _value(config, "claims_language")
        if language not in CLAIMS_LANGUAGES:
            raise ValueError(
                f"unknown --claims-language {language!r}; accepted: {', '.join(CLAIMS_LANGUAGES)}"
            )
        return cls(
            methods,
            kinds,
            flavour_names,
            scale,
            leak_check,
            report,
            pool_reuse=pool_reuse(config),
            hang_guard=guard,
            conformance=conformance,
            claims_language=language,
            claims_book_url=str(config.getini("claims_book_url")).strip(),
        )


def _conformance_selection(
    name: str, kinds: list[str], flavours: list[str]
) -> tuple[list[str], list[str]]:
    """--conformance=NAME: the run's executor kinds or loop flavours become NAME alone."""
    if name in executors.kinds():
        return [name], flavours
    if name in loops.FLAVOURS:
        return kinds, [name]
    raise ValueError(
        f"--conformance={name}: not an executor kind or loop flavour; accepted: "
        f"{', '.join([*executors.kinds(), *loops.FLAVOURS])}"
    )
