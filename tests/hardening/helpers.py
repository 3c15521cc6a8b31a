"""Shared helpers of the hardening tests: run the CLI in process or in a bounded subprocess."""

import resource
import subprocess
import sys
from pathlib import Path

from iadsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
QUICK_PATH = EXAMPLES / "scenarios" / "quickstart.yaml"
QUICK = QUICK_PATH.read_text()


def cli(argv, capsys) -> tuple[int, str, str]:
    """Run ``iadsim argv`` in process; return ``(exit code, stdout, stderr)``."""
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def assert_one_line_exit_3(code: int, err: str, *words: str) -> str:
    """Exit code 3, exactly one stderr line starting ``error:``, no traceback, containing ``words``."""
    lines = err.strip().splitlines()
    assert code == 3, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def bounded_cli(argv, mem_mb: int = 1500, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run ``iadsim argv`` in a subprocess whose address space is capped at ``mem_mb`` (RLIMIT_AS) and
    whose wall time is capped at ``timeout`` s: the bounded-memory evidence for hostile files."""
    limit = mem_mb * 1024 * 1024

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = "import sys; from iadsim.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)
