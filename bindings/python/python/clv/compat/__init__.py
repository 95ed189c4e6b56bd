"""Drop-in replacements for other CLV libraries' APIs, backed by the clv core.

- :mod:`clv.compat.lifetimes`: the ``lifetimes`` 0.11.3 fitters, ``utils``,
  ``plotting`` and ``datasets`` (change ``lifetimes`` to
  ``clv.compat.lifetimes`` in the imports).
"""
