"""``python -m strom.cli``: the ``strom`` command."""

from strom.cli import main

if __name__ == "__main__":
    main(prog_name="strom")
