"""Whether the PDF on stdin opens in pdfium and has a page: prints ``ok`` or ``bad``. Run in its own process
(see ``cases.sniff``) under a memory limit given as argv[1]. Standard library and pypdfium2 only."""
from __future__ import annotations

import resource
import sys


def main() -> None:
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(sys.stdin.buffer.read())
        try:
            pages = len(document)
        finally:
            document.close()
    except Exception:  # pdfium refuses the file: not a PDF we can read
        print("bad")
        return
    print("ok" if pages > 0 else "bad")


if __name__ == "__main__":
    main()
