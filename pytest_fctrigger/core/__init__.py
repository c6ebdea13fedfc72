"""The core layer: what every other layer may import, and which imports nothing of the plugin.

* :mod:`._random`: ``FCRandom``, the seeded source of every generated value of a test;
* :mod:`.errors`: the plugin's exception classes (re-exported from ``pytest_fctrigger.errors``);
* :mod:`.suggest`: "did you mean" for unknown names;
* :mod:`.httpdate`: the one RFC 7231 date formatter.

Layering (see docs/architecture.md): ``core`` < ``events``/``context`` < ``triggers``/``kinds``
< ``cloud`` < ``invoke``/``http`` < ``loops``/``matrix``/``flows`` < ``plugin``/``cli``.
A module imports only from its own layer or the ones below (tests/test_architecture.py).
"""
