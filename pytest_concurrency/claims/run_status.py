"""What the claims report records of how a run ended: a run stopped early leaves specs not
run, and a spent hang budget means later verdicts were reached with shrunk bounds."""

from __future__ import annotations

from typing import Any

import pytest

from .. import timeouts

__all__ = ["run_status"]


def run_status(session: pytest.Session, exitstatus: int | pytest.ExitCode) -> dict[str, Any]:
    """``exit_status``, ``interrupted``, ``interrupted_reason`` and ``hang_budget`` for the
    claims report: a run stopped early (Ctrl-C, ``-x``/``--maxfail``, an internal error) leaves
    specs not run."""
    status = int(exitstatus)
    reason = ""
    if status == pytest.ExitCode.INTERRUPTED:
        reason = "interrupted (Ctrl-C, KeyboardInterrupt or pytest.exit)"
    elif status == pytest.ExitCode.INTERNAL_ERROR:
        reason = "internal error (INTERNALERROR)"
    elif session.shouldfail or session.shouldstop:
        reason = str(session.shouldfail or session.shouldstop)
    return {
        "exit_status": status,
        "interrupted": bool(reason),
        "interrupted_reason": reason,
        "hang_budget": timeouts.budget.status(),
    }
