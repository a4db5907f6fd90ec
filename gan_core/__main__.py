"""`python -m gan_core ...`: see gan_core/cli.py."""
from gan_core.cli import main

if __name__ == "__main__":
    main()
