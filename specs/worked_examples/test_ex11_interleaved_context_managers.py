"""The note's async-with example: two blocks whose entering and exiting write slowly.

Each manager announces its entering and its exiting by writing a line slowly: a few dots, the
message a character at a time, more dots, a line break, with a pause after every character.
Two such ``async with`` blocks gathered together interleave their writing character by
character, because each pause hands the loop to the other block. The bodies, which do not
await, each print their lines in one go. On virtual time the interleaving is exact.

What the note concludes from this is not what it shows: the two blocks run as two tasks, and
each block's entering, body and exiting all run in its one task. The example has two bugs
besides: its ``__aexit__`` returns the manager itself, a true value, which swallows any
exception raised in the block; and it writes ``'\\\\n'`` (a backslash and an ``n``), where its
printed output shows line breaks.
"""

import asyncio

import pytest

from pytest_concurrency import loop_stopwatch

ONE_TASK_PER_BLOCK = (
    "the note concludes that __aenter__ and __aexit__ run as different tasks: each block's "
    "enter, body and exit run in one task, and the two blocks are the two tasks"
)
AEXIT_RETURNS_SELF = (
    "the note's __aexit__ returns self, a true value, which would swallow an exception raised "
    "in the block, exactly as with does"
)
BACKSLASH_N = (
    "the note's code writes '\\\\n' (backslash, n) where its printed output shows line breaks"
)


async def write_slowly(out, message, padding=2):
    """Dots, then the message one character at a time, then dots and a line break."""
    for _ in range(padding):
        out.append(".")
        await asyncio.sleep(0.25)
    for character in message:
        out.append(character)
        await asyncio.sleep(0.125)
    for _ in range(padding):
        out.append(".")
        await asyncio.sleep(0.25)
    out.append("\n")


class Announced:
    """Announces, slowly, that it is entered and that it is left."""

    def __init__(self, out):
        self.out = out

    async def __aenter__(self):
        await write_slowly(self.out, "Entering")
        return self

    async def __aexit__(self, *exc_info):
        await write_slowly(self.out, "Exiting")
        return False


async def announced_block(out, name):
    async with Announced(out):
        for number in range(2):
            out.append(f"{name}{number}\n")


@pytest.mark.claim("EX-11", verdict="holds")
@pytest.mark.loop_flavours("virtual")
async def test_two_blocks_interleave_their_slow_writing_character_by_character():
    """Every character of one block's announcement is followed by the same character of the
    other's; the bodies print whole; the second block is one step behind the first."""
    out = []

    with loop_stopwatch() as elapsed:
        await asyncio.gather(announced_block(out, "a"), announced_block(out, "b"))

    assert "".join(out).splitlines() == [
        "....EEnntteerriinngg....",
        "a0",
        "a1",
        ".",
        "b0",
        "b1",
        "...EExxiittiinngg....",
        "",
    ]
    assert elapsed.seconds == 2.0 + 1.875  # entering, then exiting, both blocks side by side


@pytest.mark.claim("EX-17", verdict="erratum", note=ONE_TASK_PER_BLOCK)
@pytest.mark.loop_flavours("virtual")
async def test_each_blocks_entering_body_and_exiting_run_in_one_task():
    """The two blocks are two tasks (gather wraps each in one); within a block, __aenter__, the
    body and __aexit__ all run in that block's task."""
    seen = []

    class WhichTask:
        async def __aenter__(self):
            seen.append(("enter", asyncio.current_task()))

        async def __aexit__(self, *exc_info):
            await asyncio.sleep(0.125)
            seen.append(("exit", asyncio.current_task()))

    async def block():
        async with WhichTask():
            await asyncio.sleep(0.125)
            seen.append(("body", asyncio.current_task()))

    await asyncio.gather(block(), block())

    first, second = seen[0][1], seen[1][1]
    assert first is not second
    assert seen == [
        ("enter", first),
        ("enter", second),
        ("body", first),
        ("body", second),
        ("exit", first),
        ("exit", second),
    ]


@pytest.mark.claim("CTX-1", verdict="holds", note=AEXIT_RETURNS_SELF)
async def test_an_aexit_that_returns_the_manager_swallows_the_blocks_exception():
    """__aexit__'s result is read as 'exception handled?': returning the manager object, which
    is true, silently drops an error raised in the block."""

    class ReturnsItself:
        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc_info):
            return self

    events = []

    async with ReturnsItself():
        events.append("the block raises")
        raise RuntimeError("lost without a trace")
    events.append("execution goes on after the block")

    assert events == ["the block raises", "execution goes on after the block"]


@pytest.mark.claim("EX-18", verdict="erratum", note=BACKSLASH_N)
def test_an_escaped_backslash_n_is_two_characters_not_a_line_break():
    """'\\\\n' in source is a backslash followed by n: it writes no line break."""
    written = "\\n"

    assert (len(written), written.splitlines()) == (2, ["\\n"])
