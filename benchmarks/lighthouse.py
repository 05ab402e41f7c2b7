"""Lighthouse on every page type, served as GitHub Pages serves the site (gzip), at the real size and on
a synthetic corpus: performance and accessibility scores (mobile profile), what a first visit downloads,
and whether any page fetches a whole-site file (sitemap.xml, search index) on a first visit.

Lighthouse 12 comes from npm, pinned in benchmarks/lighthouse/package-lock.json (`npm ci`); it drives
the machine's Chromium. `make bench` runs this after the build benchmark and writes the table into
docs/performance.md between the LIGHTHOUSE markers.

    python benchmarks/lighthouse.py --site site                       # the built real site
    python benchmarks/lighthouse.py --site site --corpus 10000        # and a 10,000-record corpus
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("GPCE_CHROMIUM", "/usr/bin/chromium")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
GZIPPED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv", ".bib", ".ris"}
WHOLE_SITE = re.compile(r"/(sitemap\.xml(\.gz)?|search/search_index\.json)$")
"""Files that grow with the number of records: a first visit must not fetch them."""
TARGETS = {"performance": 95, "accessibility": 100}


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files, gzipped for text types when the client accepts it (as GitHub Pages does)."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in GZIPPED
                or not path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        from io import BytesIO
        return BytesIO(body)


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def page_types(site: Path) -> dict[str, str]:
    """One representative page per page type (the first of each kind, the PCTs views)."""
    def first(section: str) -> str:
        names = sorted(p.name for p in (site / "kb" / section).iterdir() if (p / "index.html").is_file())
        return f"kb/{section}/{names[0]}/"

    pcts = "kb/stakeholders/pcts/" if (site / "kb/stakeholders/pcts/index.html").is_file() else first("stakeholders")
    briefing = "kb/briefings/pcts/" if (site / "kb/briefings/pcts/index.html").is_file() else first("briefings")
    return {"home": "", "finding": first("findings"), "lesson": first("lessons"), "PCTs page": pcts,
            "theme": first("themes"), "source": first("sources"), "comparison": first("comparisons"),
            "evidence map": "kb/map/", "briefing": briefing, "lessons list": "kb/lessons/",
            "references": "kb/references/"}


@dataclass
class Row:
    size: str
    page_type: str
    path: str
    performance: int
    accessibility: int
    transfer_kb: float
    requests: int
    whole_site: list[str]


def lighthouse(url: str, out: Path) -> dict:
    command = [str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
               "--only-categories=performance,accessibility", "--output=json", f"--output-path={out}",
               "--quiet", "--max-wait-for-load=60000"]
    subprocess.run(command, check=True, timeout=300, capture_output=True)
    return json.loads(out.read_text(encoding="utf-8"))


def measure(site: Path, size: str, workdir: Path) -> list[Row]:
    server, base = serve(site)
    rows = []
    try:
        for page_type, path in page_types(site).items():
            report = lighthouse(base + path, workdir / f"{size}-{re.sub(r'[^a-z]+', '-', page_type)}.json")
            requests = report["audits"]["network-requests"]["details"]["items"]
            rows.append(Row(size, page_type, "/" + path,
                            round(report["categories"]["performance"]["score"] * 100),
                            round(report["categories"]["accessibility"]["score"] * 100),
                            report["audits"]["total-byte-weight"]["numericValue"] / 1024,
                            len([r for r in requests if not r["url"].startswith("data:")]),
                            [r["url"].removeprefix(base) for r in requests if WHOLE_SITE.search(r["url"])]))
            print(f"  {size:>8} {page_type:<14} performance {rows[-1].performance:>3}  "
                  f"accessibility {rows[-1].accessibility:>3}  {rows[-1].transfer_kb:7.1f} KB", flush=True)
    finally:
        server.shutdown()
    return rows


def build_corpus(records: int, workdir: Path) -> Path:
    sys.path.insert(0, str(HERE))
    import corpus

    root = workdir / f"corpus-{records}"
    corpus.generate(records, root, git=False)
    subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root)], cwd=REPO, env=ENV,
                   check=True, timeout=3 * 60 * 60)
    return root / "site"


def table(rows: list[Row]) -> str:
    lines = ["| size | page type | performance | accessibility | first visit (gzip) | requests | whole-site files fetched |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        lines.append(f"| {r.size} | {r.page_type} | {r.performance} | {r.accessibility} | {r.transfer_kb:,.0f} KB "
                     f"| {r.requests} | {', '.join(r.whole_site) or 'none'} |")
    return "\n".join(lines)


def verdict(rows: list[Row]) -> list[str]:
    worst_performance = min(rows, key=lambda r: r.performance)
    worst_accessibility = min(rows, key=lambda r: r.accessibility)
    sizes = sorted({r.size for r in rows})
    transfer = {size: max(r.transfer_kb for r in rows if r.size == size) for size in sizes}
    lines = [
        f"- Performance (target at least {TARGETS['performance']}): lowest {worst_performance.performance}, "
        f"{worst_performance.page_type} at {worst_performance.size}: "
        f"{'met' if worst_performance.performance >= TARGETS['performance'] else 'NOT met'}.",
        f"- Accessibility (target {TARGETS['accessibility']}): lowest {worst_accessibility.accessibility}, "
        f"{worst_accessibility.page_type} at {worst_accessibility.size}: "
        f"{'met' if worst_accessibility.accessibility >= TARGETS['accessibility'] else 'NOT met'}.",
        "- Largest first visit per size: " + ", ".join(f"{size} {kb:,.0f} KB" for size, kb in transfer.items()) + ".",
        "- Whole-site files fetched on a first visit: "
        + (", ".join(sorted({f for r in rows for f in r.whole_site})) or "none") + ".",
    ]
    return lines


def write_section(report: Path, rows: list[Row], note: str) -> None:
    text = report.read_text(encoding="utf-8") if report.is_file() else "# Performance\n"
    body = ("<!-- LIGHTHOUSE:START (written by benchmarks/lighthouse.py) -->\n## Light pages: Lighthouse\n\n"
            f"{note}\n\n" + table(rows) + "\n\n" + "\n".join(verdict(rows)) + "\n<!-- LIGHTHOUSE:END -->")
    pattern = re.compile(r"<!-- LIGHTHOUSE:START.*?<!-- LIGHTHOUSE:END -->", re.S)
    text = pattern.sub(lambda _: body, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + body + "\n"
    report.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python benchmarks/lighthouse.py --site site --corpus 10000")
    parser.add_argument("--site", type=Path, required=True, help="the built real site (make build)")
    parser.add_argument("--corpus", type=int, default=0, help="also build and measure a synthetic corpus of N records")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/gpce-bench")) / "lighthouse")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print(f"lighthouse: not installed; run `npm ci --prefix {LIGHTHOUSE.parents[2]}`", file=sys.stderr)
        return 2
    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    started = time.time()
    rows = measure(args.site.resolve(), "real", args.workdir)
    if args.corpus:
        rows += measure(build_corpus(args.corpus, args.workdir), f"{args.corpus:,}", args.workdir)
    print(table(rows))
    print("\n".join(verdict(rows)))
    (args.workdir / "rows.json").write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")
    if not args.no_write:
        note = (f"Lighthouse 12 (mobile profile, simulated throttling) on each page type, served with gzip as GitHub "
                f"Pages serves it, measured {time.strftime('%Y-%m-%d', time.gmtime(started))}. 'First visit' is "
                "what Lighthouse counts as downloaded with an empty cache.")
        write_section(REPO / "docs" / "performance.md", rows, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
