"""redis.asyncio's GET talks to Redis synchronously, with redis-py's blocking client, inside
the coroutine: the iterating task never suspends while Redis answers, so no other task runs
between the steps of the note's Redis example."""

import importlib.abc
import importlib.util
import sys

CLAIMS = ("EX-12",)
SPECS = ("specs/worked_examples/test_ex12_redis_keys.py",)
ARGS = ("-k", "fetches_one_key or fewer_lines")
# The specs talk to a real Redis; without one they skip, and nothing could be caught.
COMMANDS = ("redis-server",)


def _blocking_get(self, name):
    """A coroutine function, as GET is, that never awaits: the answer comes from a blocking
    connection of its own."""

    async def get():
        import redis  # the synchronous client

        options = self.connection_pool.connection_kwargs
        client = redis.Redis(
            host=options["host"],
            port=options["port"],
            decode_responses=options.get("decode_responses", False),
            socket_timeout=30,
        )
        try:
            return client.get(name)
        finally:
            client.close()

    return get()


class _BlockTheGets(importlib.abc.MetaPathFinder):
    """Once redis.asyncio.client is imported (by the spec: it is slow), replace its GET."""

    def find_spec(self, name, path=None, target=None):
        if name != "redis.asyncio.client":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        original_exec = spec.loader.exec_module

        def exec_module(module):
            original_exec(module)
            module.Redis.get = _blocking_get

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _BlockTheGets())
