import sys

from textlens.cli import main

sys.exit(main())
