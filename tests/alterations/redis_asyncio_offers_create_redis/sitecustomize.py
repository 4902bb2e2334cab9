"""redis.asyncio offers a create_redis function, as the note's aioredis did."""

import importlib.abc
import sys

CLAIMS = ("EX-19",)
SPECS = (
    "specs/worked_examples/test_ex12_redis_keys.py::test_redis_asyncio_replaces_aioredis_without_create_redis",
)


async def create_redis(address, **kwargs):
    raise ConnectionError("the altered redis.asyncio connects nowhere")


class _AddCreateRedis(importlib.abc.MetaPathFinder):
    """Once redis.asyncio is imported (by the spec, not here: it is slow), give it
    create_redis."""

    def find_spec(self, name, path=None, target=None):
        if name != "redis.asyncio":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        original_exec = spec.loader.exec_module

        def exec_module(module):
            original_exec(module)
            module.create_redis = create_redis

        spec.loader.exec_module = exec_module
        return spec


import importlib.util  # noqa: E402

sys.meta_path.insert(0, _AddCreateRedis())
