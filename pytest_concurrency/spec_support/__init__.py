"""Support code for this repository's specs, not part of the plugin's API.

It ships inside the installed package for one reason: process pools send work to their workers
by module and name, so work functions must be importable in every child under every start
method and pytest import mode, which a module under ``specs/`` is not.
"""
