"""`python -m pyvouch`."""

from pyvouch.cli.main import main

main()
