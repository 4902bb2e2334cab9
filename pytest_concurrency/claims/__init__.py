"""The claims machinery: the catalogue of claims, the ``claim`` marker's links from specs to
claims, the ledger of verdicts a run collects, and its reports (terminal, JSON, Markdown, HTML),
the matrix that merges reports of several interpreters, and the ``concurrency-claims`` command.

The toolkit (executors, loops, virtual time, sync, hygiene, ...) never imports this package;
the plugin wires the two together.
"""
