"""`python -m logitlab` runs the CLI."""

from logitlab.cli import main

if __name__ == "__main__":
    main()
