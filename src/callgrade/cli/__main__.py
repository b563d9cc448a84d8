"""``python -m callgrade.cli``: the same as the ``callgrade`` command."""

from callgrade.cli import main

main()
