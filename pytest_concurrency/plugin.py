"""pytest-concurrency-specs: the pytest hooks, in the order pytest calls them.

Each hook delegates to the module that owns the idea: ``options`` (settings), ``markers``
(claims, guards, selectors), ``executors`` and ``loops`` (what tests are parametrized with),
``hygiene`` (what a test leaves behind), ``ledger`` and ``report`` (claims and verdicts). The
fixtures live in ``fixtures``; they are imported here so that pytest registers them.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from . import executors, hang_guard, loops, markers
from .claims import guide
from .claims.book import book_url
from .claims.catalogue import load_catalogue
from .claims.files import write_run_report
from .claims.ledger import GUARD_SKIP_PROPERTY, PROPERTY, Ledger, spec_property
from .claims.links import claim_links
from .claims.run_status import run_status
from .claims.terminal import write_terminal_summary
from .cpu import usable_cpus
from .exploration import pytest_plugin as explore_plugin
from .fixtures import (  # noqa: F401  (imported so pytest registers the fixtures)
    executor,
    executor_factory,
    executor_kind,
    executor_kind_sessions,
    http_server,
    mp_context,
    process_executor,
    start_method,
    thread_executor,
    warm_pools,
)
from .hygiene import (
    OTHER_HOOKS_PROPERTY,
    Snapshot,
    describe,
    long_lived,
    made_by_other_hooks,
    pending_tasks,
    set_watching,
    still_pending,
    task_survivors,
)
from .kinds import PLUGINS as _KIND_PLUGINS
from .options import Settings, add_options
from .pytest_internals import (
    loop_factory_of,
    release_failed_call_frames,
    run_session,
    running_loop_of,
)
from .servers import LatencyServer
from .sync import Gate
from .thread_time.pytest_plugin import ThreadTimePlugin
from .timeouts import get_scale, hang_bound, set_scale

settings_key = pytest.StashKey[Settings]()
ledger_key = pytest.StashKey[Ledger]()
snapshot_key = pytest.StashKey[Snapshot]()
tasks_key = pytest.StashKey[list[asyncio.Task[Any]]]()
written_key = pytest.StashKey[Path]()
flavours_key = pytest.StashKey[Mapping[str, loops.LoopFactory]]()
guard_key = pytest.StashKey[hang_guard.HangGuardPlugin]()
other_hooks_key = pytest.StashKey[dict[str, tuple[str, str]]]()  # hook -> (what, first test)
call_failed_key = pytest.StashKey[bool]()
current_item_key = pytest.StashKey[pytest.Item]()

# The third-party executor kinds are plugins of their own, registered through our hook as an
# outside project's would be (pytest registers the modules listed here with this one).
pytest_plugins = _KIND_PLUGINS


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
    explore_plugin.add_options(parser)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_cmdline_main(config: pytest.Config) -> int | pytest.ExitCode | None:
    if not config.getoption("claims"):
        return None
    if hasattr(config.option, "dist"):
        config.option.dist = "no"  # a listing: no pytest-xdist workers
    return run_session(config, _show_claims)


def _show_claims(config: pytest.Config, session: pytest.Session) -> int:
    session.perform_collect()
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        guide.show_claims(
            terminal, config.stash[ledger_key], config.stash[settings_key].claims_language
        )
    return 0


def pytest_configure(config: pytest.Config) -> None:
    for help_text in markers.MARKERS.values():
        config.addinivalue_line("markers", help_text)
    # --hang-scale sets a process-wide factor: give it back when this run ends (pytester).
    config.add_cleanup(functools.partial(set_scale, get_scale()))
    _register_implementations(config)  # before the settings read --executor-kinds
    settings = config.stash[settings_key] = Settings.from_config(config)
    # --leak-check=off touches nothing: no class or function wrapped, no audit hook added.
    previous = set_watching(settings.leak_check != "off")

    def watch_as_before() -> None:
        set_watching(previous)

    config.add_cleanup(watch_as_before)
    ledger = config.stash[ledger_key] = Ledger(load_catalogue(), config.rootpath / "specs")
    other_hooks = config.stash[other_hooks_key] = {}
    recorder = _ReportRecorder(ledger, other_hooks)
    config.pluginmanager.register(recorder, "concurrency-report-recorder")
    config.pluginmanager.register(_FlavourWatch(), "concurrency-flavour-watch")
    # Registered before the guard, so that the guard's report wrapper sees the report it made.
    config.pluginmanager.register(hang_guard.FallbackReportPlugin(), "concurrency-fallback-report")
    guard = config.stash[guard_key] = hang_guard.HangGuardPlugin(config, settings.hang_guard)
    config.pluginmanager.register(guard, "concurrency-hang-guard")
    _set_last_resort(config, functools.partial(_report_before_the_backstop, config))
    config.pluginmanager.register(explore_plugin, "concurrency-explore")
    config.pluginmanager.register(ThreadTimePlugin(config), "concurrency-thread-time")


def _set_last_resort(config: pytest.Config, report: Callable[[str], None]) -> None:
    """The guard's last resort writes this session's report; a nested session (pytester)
    puts the outer one's back when it ends."""
    alarm = hang_guard.the_alarm
    previous = (alarm.last_resort, alarm.last_resort_called)
    alarm.last_resort, alarm.last_resort_called = report, False

    def restore() -> None:
        alarm.last_resort, alarm.last_resort_called = previous

    config.add_cleanup(restore)


def _register_implementations(config: pytest.Config) -> None:
    """Add the executor kinds and loop flavours plugins and conftest files register.

    Each plugin's answer is asked for through pluggy (a hook caller for that plugin alone), so
    hook wrappers and ``--debug`` tracing see the call, and an error names the plugin.
    """
    registries: list[tuple[str, Callable[[Any, str], list[str]], Callable[[list[str]], None]]]
    registries = [
        ("pytest_concurrency_executor_kinds", executors.register_kinds, executors.unregister_kinds),
        ("pytest_concurrency_loop_flavours", loops.register_flavours, loops.unregister_flavours),
    ]
    try:
        for name, register, unregister in registries:
            for plugin, plugin_name in _implementers(config, name):
                for found in _ask_one_plugin(config, name, plugin):
                    if found:
                        added = register(found, plugin_name)
                        config.add_cleanup(functools.partial(unregister, added))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def _implementers(config: pytest.Config, hook_name: str) -> list[tuple[object, str]]:
    """The plugins implementing ``hook_name``, in the order they were registered (so kinds and
    flavours are listed as their plugins load), and their names (a conftest's is its path)."""
    impls = getattr(config.hook, hook_name).get_hookimpls()
    plugins = [impl.plugin for impl in impls if not impl.wrapper and not impl.hookwrapper]
    manager = config.pluginmanager
    return [(plugin, manager.get_name(plugin) or repr(plugin)) for plugin in plugins]


def _ask_one_plugin(config: pytest.Config, hook_name: str, plugin: object) -> list[Any]:
    """Call ``hook_name`` through pluggy, with every implementation but ``plugin``'s left out
    (its wrappers stay, so they see the call)."""
    manager = config.pluginmanager
    others = [
        impl.plugin
        for impl in getattr(config.hook, hook_name).get_hookimpls()
        if impl.plugin is not plugin and not impl.wrapper and not impl.hookwrapper
    ]
    caller = manager.subset_hook_caller(hook_name, remove_plugins=others)
    answers: list[Any] = caller(config=config)
    return answers


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = config.stash[settings_key]
    gil = "enabled" if markers.gil_enabled() else "disabled (free-threaded)"
    return [
        f"concurrency: {sys.implementation.name} {sys.version.split()[0]}, GIL {gil}, "
        f"{usable_cpus()} CPUs",
        f"concurrency: start methods {', '.join(settings.start_methods) or '(none)'}; "
        f"executor kinds {', '.join(settings.executor_kinds) or '(none)'}",
        f"concurrency: loop flavours {', '.join(settings.loop_flavours)} "
        f"(available here: {', '.join(loops.available_flavours())})",
        *config.stash[guard_key].header(),
    ]


def _collection_error(metafunc_or_item: Any, error: Exception) -> NoReturn:
    # "from None": the message says it all; the ValueError behind it would only repeat it.
    raise pytest.fail.Exception(f"{metafunc_or_item.nodeid}: {error}", pytrace=False) from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    definition = metafunc.definition
    marks = list(definition.iter_markers())
    settings = metafunc.config.stash[settings_key]
    try:
        claim_links(m for m in marks if m.name == "claim")
        markers.guard_skip_reason(marks)  # evaluated again at setup; here to check arguments
        hang_guard.marker_bound(marks)  # read again at setup; here to check its argument
        kinds = _chosen_kinds(marks, settings)
    except ValueError as error:
        _collection_error(definition, error)
    if "executor_kind" in metafunc.fixturenames:
        _parametrize(metafunc, "executor_kind", kinds, "executor kind")
    if "start_method" in metafunc.fixturenames:
        process_kinds = [k for k in kinds if executors.start_method_of(k) is not None]
        _parametrize(metafunc, "start_method", process_kinds, "start method")


def _chosen_kinds(marks: list[pytest.Mark], settings: Settings) -> list[str]:
    kinds = list(settings.executor_kinds)
    wanted_kinds = markers.selected_names(marks, "executor_kinds")
    if wanted_kinds is not None:
        executors.validate_kinds(wanted_kinds)
        kinds = [k for k in kinds if k in wanted_kinds]
    wanted_methods = markers.selected_names(marks, "start_methods")
    if wanted_methods is not None:
        executors.validate_start_methods(wanted_methods)
        kinds = [
            k
            for k in kinds
            if k == executors.THREAD or executors.start_method_of(k) in wanted_methods
        ]
    return kinds


def _parametrize(metafunc: pytest.Metafunc, name: str, kinds: list[str], what: str) -> None:
    if kinds:
        # A kind whose package is missing is skipped, saying so.
        params = [
            pytest.param(k, marks=pytest.mark.skip(reason=why))
            if (why := executors.unavailable_reason(k)) is not None
            else k
            for k in kinds
        ]
        metafunc.parametrize(name, params, ids=kinds, indirect=True)
        return
    reason = f"no {what} left to run: the options and this test's markers select none"
    metafunc.parametrize(
        name,
        [pytest.param(None, marks=pytest.mark.skip(reason=reason), id=f"no-{name}")],
        indirect=True,
    )


@pytest.hookimpl(optionalhook=True)
def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, loops.LoopFactory]:
    settings = config.stash[settings_key]
    try:
        names = markers.selected_names(item.iter_markers(), "loop_flavours")
        for name in names or []:
            loops.flavour(name)
    except ValueError as error:
        _collection_error(item, error)
    asyncio_mark = item.get_closest_marker("asyncio")
    if asyncio_mark is not None and "loop_factories" in asyncio_mark.kwargs:
        names = list(loops.FLAVOURS)  # pytest-asyncio picks from all of them by name
    chosen = settings.conformance
    if chosen is not None and chosen in loops.FLAVOURS and names and "asyncio" in names:
        # A conformance run: a contract that holds on the platform's default loop is one
        # every loop should honour, whichever flavours the spec's marker lists.
        names = [chosen]
    answer = {name: _factory_or_skip(name) for name in names or settings.loop_flavours}
    item.stash[flavours_key] = answer
    return answer


class _FlavourWatch:
    """Says so when another answer to pytest_asyncio_loop_factories hides the flavours.

    pytest-asyncio takes the first answer; a project's conftest that answers the hook itself
    would otherwise silently run every test on its own loop while --loop-flavours or the
    loop_flavours marker asked for others.
    """

    @pytest.hookimpl(wrapper=True, optionalhook=True)
    def pytest_asyncio_loop_factories(
        self, config: pytest.Config, item: pytest.Item
    ) -> Generator[None, Any, Any]:
        answer = yield
        asked = config.getoption("loop_flavours") or item.get_closest_marker("loop_flavours")
        if answer is None or answer is item.stash.get(flavours_key, None) or not asked:
            return answer
        ours = config.pluginmanager.get_plugin("concurrency")
        others = [
            config.pluginmanager.get_name(impl.plugin) or repr(impl.plugin)
            for impl in item.ihook.pytest_asyncio_loop_factories.get_hookimpls()
            if impl.plugin is not ours and not impl.wrapper and not impl.hookwrapper
        ]
        _collection_error(
            item,
            ValueError(
                "loop flavours were asked for (--loop-flavours or the loop_flavours marker), "
                f"but {', '.join(others)} answers pytest_asyncio_loop_factories first with "
                f"{', '.join(map(repr, answer))}, and pytest-asyncio takes the first answer; "
                "drop --loop-flavours for this suite, or return None from that hook for the "
                "tests the flavours should reach"
            ),
        )


def _factory_or_skip(name: str) -> loops.LoopFactory:
    reason = loops.unavailable_reason(name)
    if reason is None:
        return loops.flavour(name).factory
    return loops.UnavailableFlavour(name, reason)


def _skip_unavailable_flavours(items: list[pytest.Item]) -> None:
    """Skip, before any fixture is set up, the tests of a flavour that cannot run here.

    The skip must not come from the loop factory: pytest-asyncio calls it while setting up an
    async fixture's event-loop runner, before pytest caches that fixture's outcome, so a skip
    raised there leaves the fixture half set up and every later test that uses it errors with
    a bare ``AssertionError`` (pytest-asyncio 1.5, any factory that raises).
    """
    for item in items:
        factory = loop_factory_of(item)
        if isinstance(factory, loops.UnavailableFlavour):
            item.add_marker(pytest.mark.skip(reason=factory.reason))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        for item in items:
            markers.conformance_scope(item)  # checks contract/implementation marks
    except ValueError as error:
        _collection_error(item, error)
    implementation = config.stash[settings_key].conformance
    if implementation is not None:
        chosen = [i for i in items if _conformance_candidate(i, implementation)]
        if len(chosen) < len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
            items[:] = chosen
    _skip_unavailable_flavours(items)
    ledger = config.stash[ledger_key]
    for item in items:
        links = claim_links(item.iter_markers("claim"))
        if links:
            item.user_properties.append(spec_property(item, links))
            ledger.collected(item, links)


def _conformance_candidate(item: pytest.Item, implementation: str) -> bool:
    """Whether ``item`` specifies the contract and runs on ``implementation``."""
    if markers.conformance_scope(item) != "contract":
        return False
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    if "executor_kind" in params:
        return bool(params["executor_kind"] == implementation)
    factory = loop_factory_of(item)
    name = loops.name_of_factory(factory)
    return factory is not None and name == implementation


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[ledger_key].deselected(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    item.config.stash[current_item_key] = item  # the test the guard's last resort reports
    reason = markers.guard_skip_reason(item.iter_markers())
    if reason is not None:
        # Skipped by pytest's own skip marker, so the report points at the test, not here.
        item.add_marker(pytest.mark.skip(reason=reason))
        item.user_properties.append((GUARD_SKIP_PROPERTY, reason))
    # Before setup, so that what a function-scoped fixture starts and never stops counts.
    if item.config.stash[settings_key].leak_check != "off":
        item.stash[snapshot_key] = Snapshot()
    yield
    if snapshot_key in item.stash:
        item.stash[snapshot_key].setup_done()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, None, Any]:
    off = request.config.stash[settings_key].leak_check == "off"
    if fixturedef.scope == "function" or off:
        return (yield)
    with long_lived():  # what a broader fixture starts is its own, not the test's
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    loop = running_loop_of(item)
    before = asyncio.all_tasks(loop) if loop is not None else set()
    try:
        return (yield)
    finally:
        if loop is not None and not loop.is_closed():
            item.stash[tasks_key] = pending_tasks(loop, before)


def pytest_fixture_post_finalizer(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> None:
    # A task the test left may be stopped by a fixture's teardown (a server fixture cancelling
    # its serving task): forget those as each fixture ends, while the loop is still open.
    tasks = request.node.stash.get(tasks_key, None)
    if tasks:
        request.node.stash[tasks_key] = still_pending(tasks)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    # Before the fixtures (the pools) are torn down: a test that failed midway lets go of the
    # workers it held on a Gate or a held loopback server, so they end and the run moves on.
    Gate.open_all()
    LatencyServer.release_all()
    result = yield
    mode = item.config.stash[settings_key].leak_check
    snapshot = item.stash.get(snapshot_key, None)
    if mode == "off" or snapshot is None or item.get_closest_marker("allow_leaks"):
        return result
    # pytest drops the fixture values right after this hook; drop them now, so that what only
    # they hold (a lock in a fixture's value, released with it) is not counted.
    funcargs = getattr(item, "funcargs", None)
    if isinstance(funcargs, dict):
        funcargs.clear()
    # Nor what only a failure holds: pytest keeps a failed call's frames for post-mortem.
    if item.stash.get(call_failed_key, False):
        release_failed_call_frames()
    tasks = task_survivors(still_pending(item.stash.get(tasks_key, [])))
    left = tasks + snapshot.survivors(hang_bound("short"))
    others = made_by_other_hooks(snapshot)
    if others:  # reported once in the summary, from this report (the controller's, under xdist)
        item.user_properties.append((OTHER_HOOKS_PROPERTY, others))
    if left and mode == "fail":
        pytest.fail(describe(left), pytrace=False)
    if left:
        item.warn(pytest.PytestWarning(describe(left)))
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[call_failed_key] = True
    if report.failed:
        links = _book_links(item)
        if links:
            report.sections.append(("claims book", "\n".join(links)))
    return report


def _book_links(item: pytest.Item) -> list[str]:
    """``claim AIO-4: <url>`` for each claim a failing spec checks: where to read what the
    claim says, its verdict and its other specs (none when claims_book_url is empty)."""
    base = item.config.stash[settings_key].claims_book_url
    carried = dict(item.user_properties).get(PROPERTY)
    if not base or not isinstance(carried, dict):
        return []
    ids = dict.fromkeys(claim_id for link in carried["links"] for claim_id in link["ids"])
    return [f"claim {claim_id}: {book_url(claim_id, base)}" for claim_id in ids]


class _ReportRecorder:
    """Feeds every test report to the ledger (reports do not carry the config), and notes what
    other plugins' hooks made (the leak check does not count it against the test)."""

    def __init__(self, ledger: Ledger, other_hooks: dict[str, tuple[str, str]]) -> None:
        self.ledger = ledger
        self.other_hooks = other_hooks

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.ledger.record(report)
        found = dict(report.user_properties).get(OTHER_HOOKS_PROPERTY)
        if isinstance(found, dict):
            for hook, what in found.items():
                self.other_hooks.setdefault(str(hook), (str(what), report.nodeid))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int | pytest.ExitCode) -> None:
    _write_claims_report(session, exitstatus)


def _report_before_the_backstop(config: pytest.Config, message: str) -> None:
    """The hang guard's backstop is about to end the process: the test under way swallowed
    every exception the guard raised. Record that test as failed and write the claims report
    now, marked as a run stopped early, so that the run still ends with its report (under
    xdist the controller reports the lost worker's test itself)."""
    item = config.stash.get(current_item_key, None)
    if item is None or hasattr(config, "workerinput"):
        return
    why = "the hang guard's backstop ended the run: the test swallowed HangGuardExpired"
    longrepr = f"{message}\n{why}"
    report = pytest.TestReport(
        item.nodeid, item.location, {}, "failed", longrepr, "call", [], 0.0,
        user_properties=list(item.user_properties),
    )  # fmt: skip
    config.stash[ledger_key].record(report)
    # Not session.shouldstop: should the test end after all, the run goes on, and its own end
    # writes the report again.
    _write_claims_report(item.session, pytest.ExitCode.TESTS_FAILED, f"{why} ({item.nodeid})")


def _write_claims_report(
    session: pytest.Session, exitstatus: int | pytest.ExitCode, stopped_because: str = ""
) -> None:
    config = session.config
    path = config.stash[settings_key].claims_report
    if path is None or _listing_only(config) or hasattr(config, "workerinput"):
        return  # xdist workers report to the controller, which writes the file
    path = config.invocation_params.dir / path
    settings = config.stash[settings_key]
    run = {
        **settings.selection(),
        "claims_language": settings.claims_language,
        **run_status(session, exitstatus),
    }
    if stopped_because:
        run.update(interrupted=True, interrupted_reason=stopped_because)
    write_run_report(path, config.stash[ledger_key], run, config.rootpath)
    config.stash[written_key] = path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> Generator[None, None, None]:
    # The outermost wrapper, writing after the others: the verdicts close the run, after
    # pytest's own short summary of skips and failures.
    result = yield
    _write_other_hooks(terminalreporter, config.stash.get(other_hooks_key, {}))
    ledger = config.stash[ledger_key]
    written = config.stash.get(written_key, None)
    if (ledger.specs or written is not None) and not _listing_only(config):
        language = config.stash[settings_key].claims_language
        write_terminal_summary(terminalreporter, ledger, written, language)
    return result


def _write_other_hooks(
    terminal: pytest.TerminalReporter, found: dict[str, tuple[str, str]]
) -> None:
    """Name, once each, what other plugins' hooks made and left open (not any test's doing)."""
    if not found:
        return
    terminal.write_sep("-", "leak check: made by other plugins' hooks, not counted")
    for hook, (what, nodeid) in found.items():
        terminal.write_line(f"{what}: made by {hook} (first during {nodeid})")


def _listing_only(config: pytest.Config) -> bool:
    """Whether this session only lists tests (--collect-only, --claims): nothing to report."""
    return bool(config.getoption("collectonly") or config.getoption("claims"))
