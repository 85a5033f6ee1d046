import sys

from exactdln.cli import main

sys.exit(main())
