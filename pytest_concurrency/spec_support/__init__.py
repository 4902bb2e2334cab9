"""Support code for this repository's specs, not part of the plugin's API.

It ships inside the installed package for one reason: process pools send work to their workers
by module and name, so work functions must be importable in every child under every start
method and pytest import mode, which a module under ``specs/`` is not.

``workloads`` holds those work functions, ``races`` the retry helper of the race specs, and
``redis`` the real ``redis-server`` of the Redis example (EX-12; its fixture is in
``specs/conftest.py``). Nothing here imports pytest (an import-linter contract in
``pyproject.toml``): a spawned worker must not pay for it.
"""
