"""Settings for the specs only (the plugin itself needs none of this)."""

from hypothesis import settings

# Property-based specs are examples of a claim, not a search for rare bugs: derandomized, so a
# run is repeatable, and without a per-example deadline, since a loaded machine is slow.
settings.register_profile("specs", derandomize=True, deadline=None, max_examples=50)
settings.load_profile("specs")
