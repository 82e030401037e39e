"""Monte Carlo tests.  Long runs are marked ``slow`` and are opt-in: the rule (``ASYMPTOTICS_SLOW=1``
or ``-m slow``) and the numpy floating-point error settings live in ``tests/conftest.py``."""
