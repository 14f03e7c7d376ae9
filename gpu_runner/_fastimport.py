"""Skip optional imports that cost seconds and that notebook handling never uses.

jsonschema (through nbformat) probes optional format checkers at import;
``rfc3987_syntax`` compiles a grammar for several seconds. Marking it absent
makes jsonschema skip that checker. Import this module before nbformat, in
entry points only (the executor, the CLI).
"""

import sys

for _name in ("rfc3987_syntax",):
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
