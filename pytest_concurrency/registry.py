"""One shape for named implementations: the registry behind executor kinds and loop flavours.

An implementation (an :class:`~pytest_concurrency.executors.ExecutorKind`, a
:class:`~pytest_concurrency.loops.Flavour`) is a frozen record with a ``name``, a
``why_unavailable()`` that says why it cannot run here (``None`` when it can) and a ``default``
flag (``False``: a run gets it only when it names it). A :class:`Registry` holds the built-in
ones and those plugins add for one run, checks names, and lists them by need.
:func:`missing_package` writes the one reason an optional package's absence gives.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from .names import check_plugin_name

__all__ = ["Implementation", "Registry", "missing_package"]


class Implementation(Protocol):
    """What a registry holds: a named implementation that may be unavailable here."""

    @property
    def name(self) -> str: ...

    @property
    def why_unavailable(self) -> Callable[[], str | None]: ...

    @property
    def default(self) -> bool: ...


ImplT = TypeVar("ImplT", bound=Implementation)


def missing_package(module: str, needed_by: str, extra: str) -> str | None:
    """Why ``needed_by`` (``"executor kind 'loky'"``) cannot run: the package importing as
    ``module`` is not installed, with the install hint (the plugin's ``extra`` carries the
    versions tested here); ``None`` when it is installed."""
    if importlib.util.find_spec(module) is not None:
        return None
    return (
        f"{needed_by} needs the {module} package (pip install 'pytest-concurrency-specs[{extra}]')"
    )


class Registry(dict[str, ImplT]):
    """The implementations of one sort (``what``: ``"executor kind"``), by name, in the order
    they were added: built-in ones first, then those plugins register for a run.

    A ``dict`` (so ``name in registry``, ``registry[name]``, ``list(registry)`` read as usual),
    with the checks and lists both sorts need.
    """

    def __init__(
        self,
        what: str,
        built_in: Iterable[ImplT],
        *,
        reserved: Iterable[str] = (),
        accepted_note: str = "",
    ) -> None:
        super().__init__((entry.name, entry) for entry in built_in)
        self.what = what
        self.built_in = tuple(self)
        #: Names no plugin may register ("all" for flavours).
        self.reserved = frozenset(reserved)
        #: Added to the list of accepted names in an error (", or all, ...").
        self.accepted_note = accepted_note

    def names(self, *, available: bool = False, default: bool = False) -> list[str]:
        """Every name, or only those that can run here (``available``) and/or those a run gets
        without naming them (``default``)."""
        return [
            name
            for name, entry in self.items()
            if (not available or entry.why_unavailable() is None) and (not default or entry.default)
        ]

    def unknown(self, names: Iterable[str]) -> ValueError:
        """The error for names that are not registered: it lists every accepted name."""
        return ValueError(
            f"unknown {self.what} {', '.join(map(repr, names))}; accepted: "
            f"{', '.join(self)}{self.accepted_note}"
        )

    def entry(self, name: str) -> ImplT:
        """The implementation called ``name``; a :class:`ValueError` names the accepted ones."""
        try:
            return self[name]
        except KeyError:
            raise self.unknown([name]) from None

    def validate(self, names: Iterable[str]) -> list[str]:
        """The names given (stripped, blanks dropped), checked; a :class:`ValueError` names
        the unknown ones and every accepted one."""
        chosen = [n.strip() for n in names if n.strip()]
        unknown = [n for n in chosen if n not in self]
        if unknown:
            raise self.unknown(unknown)
        return chosen

    def unavailable_reason(self, name: str) -> str | None:
        """Why ``name`` cannot run here, or ``None`` when it can."""
        return self.entry(name).why_unavailable()

    def register(
        self,
        given: Mapping[str, object],
        source: str,
        make: Callable[[str, object], ImplT],
    ) -> list[str]:
        """Add what plugin ``source`` gives (``{name: value}``, each turned into an entry by
        ``make``, which raises a :class:`ValueError` for a value it cannot take); returns the
        names added, for :meth:`unregister` at the end of the run.

        A name that is not a word, reserved or already defined is a :class:`ValueError` naming
        ``source``. Registering the very entry already there adds nothing (a run inside a run,
        as pytester's, registers the plugin's own kinds again).
        """
        added = []
        for name, value in given.items():
            check_plugin_name(name, self.what, source)
            if self.get(name) is value:
                continue
            if name in self or name in self.reserved:
                raise ValueError(f"{source}: {self.what} {name!r} is already defined")
            self[name] = make(name, value)
            added.append(name)
        return added

    def unregister(self, names: Iterable[str]) -> None:
        """Forget registered names (at the end of the run that registered them); built-in
        ones stay."""
        for name in names:
            if name not in self.built_in:
                self.pop(name, None)
