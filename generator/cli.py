"""The command-line edge: the only place errors become messages and exit codes."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from pathlib import Path

import click

from generator.errors import BuildError, EvidenceError, Problem
from generator.project import Project

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Project folder holding evidence/, references.bib and mkdocs.yml (default: current folder).")


def _report_problems(problems: list[Problem], fmt: str = "text") -> None:
    if fmt == "json":
        click.echo(json.dumps([{"path": p.path, "line": p.line, "column": p.column, "message": p.message,
                                "hint": p.hint} for p in problems], indent=2))
        return
    for problem in problems:
        if fmt == "github":
            click.echo(_github_annotation(problem))
        else:
            click.echo(str(problem), err=True)
    files = len({p.path for p in problems})
    click.echo(f"check: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
               f"in {files} file{'s' if files != 1 else ''}", err=True)


def _github_annotation(problem: Problem, level: str = "error") -> str:
    def esc(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(value: str) -> str:
        return esc(value).replace(":", "%3A").replace(",", "%2C")

    where = f"file={prop(problem.path)}"
    if problem.line:
        where += f",line={problem.line}"
    if problem.column:
        where += f",col={problem.column}"
    message = problem.message + (f"; {problem.hint}" if problem.hint else "")
    return f"::{level} {where}::{esc(message)}"


def _checked(root: Path | None, fmt: str = "text", grade_drift: bool = True, against: str | None = None):
    """The checked knowledge base, or every problem reported and exit 1."""
    from generator.changelog import RevisionError
    from generator.pipeline import check as run_check

    try:
        return run_check(Project.at(root), grade_drift=grade_drift, against=against)
    except EvidenceError as exc:
        _report_problems(exc.problems, fmt)
        sys.exit(EXIT_PROBLEMS)
    except RevisionError as exc:
        click.echo(f"check --against: {exc}", err=True)
        sys.exit(EXIT_USAGE)


SITE_URL_OPTION = click.option(
    "--site-url", default=None, metavar="URL",
    help="Address the site is published at (default: $GPCE_SITE_URL; none makes a local build "
         "with no permanent addresses).")


def _addressed_project(root: Path | None, site_url: str | None, command: str, release: bool = False) -> Project:
    """The project with its published and repository addresses, or the problem said and exit 2."""
    from generator.address import HOW_TO_SET, AddressError, resolve

    project = Project.at(root)
    try:
        addresses = resolve(project.root, site_url=site_url)
    except AddressError as exc:
        click.echo(f"{command}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if release and not addresses.site_url:
        click.echo(f"{command}: --release needs the published address; {HOW_TO_SET}", err=True)
        sys.exit(EXIT_USAGE)
    return Project.at(project.root, addresses=addresses)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _summary(kb) -> str:
    r = kb.records
    return ", ".join((_count(r.sources, "source"), _count(r.findings, "finding"), _count(r.lessons, "lesson"),
                      _count(r.comparisons, "comparison"), _count(r.contexts, "context difference"),
                      _count(kb.references, "reference")))


class _NoTracebacks(click.Group):
    """Last line of defence: an unexpected exception is a bug in the generator, never the user's
    fault; say so in one line instead of a traceback (GPCE_DEBUG=1 shows it)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the point is to catch what nothing else did
            if os.environ.get("GPCE_DEBUG"):
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("error: this is a bug in the generator, not in the evidence; please report it "
                       "(run with GPCE_DEBUG=1 to see the details)", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_NoTracebacks, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Check the evidence records and build the evidence site.

    \b
    Example:
      python -m generator check
      python -m generator build
    """


@main.command()
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
              help="text (file:line:column: message), github (workflow annotations) or json.")
@click.option("--against", metavar="REVISION", default=None,
              help="Also compare grades with this git revision (CI on a pull request: origin/main): a "
                   "changed grade needs a new change-log entry saying why.")
def check(root: Path | None, fmt: str, against: str | None) -> None:
    """Validate every record, vocabulary and the bibliography; report all problems at once.

    Exits 1 if there is any problem, 2 if --against names no readable revision, 0 otherwise.

    \b
    Example:
      python -m generator check
      python -m generator check --format github
      python -m generator check --against origin/main
    """

    kb = _checked(root, fmt, against=against)
    if fmt == "json":
        click.echo("[]")
        return
    click.echo(f"check: OK ({_summary(kb)})")
    _report_second_reading(kb, fmt)


def _report_second_reading(kb, fmt: str) -> None:
    """Records whose second-reader check has expired or is missing: warnings, not problems (a new or
    edited record is normal in a pull request; the second reader marks it checked before merging)."""
    from generator.review import summarise

    summary = summarise(kb.records)
    stale = [(kind, record_id, "changed since it was last checked against the source; a second reader "
              "checks it, then runs `python -m generator mark-checked " + record_id + " --by NAME`")
             for kind, record_id in summary.changed]
    stale += [(kind, record_id, "not yet checked against the source by a second reader; once checked, run "
               "`python -m generator mark-checked " + record_id + " --by NAME`")
              for kind, record_id in summary.unchecked]
    for kind, record_id, message in stale:
        path = kb.records.files[(kind, record_id)].display
        if fmt == "github":
            click.echo(_github_annotation(Problem(path, 0, 0, message), "warning"))
        else:
            click.echo(f"{path}: warning: {message}", err=True)
    click.echo(f"check: {summary.current} of {summary.total} records checked by a second reader and unchanged "
               f"since ({summary.share_current})" + (f"; {len(summary.changed)} changed since, "
                                                        f"{len(summary.unchecked)} not yet checked" if stale else ""))


@main.command()
@ROOT_OPTION
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the HTML site (default: site/).")
@click.option("--no-site", is_flag=True, help="Only generate the Markdown in docs/kb/; skip mkdocs.")
@SITE_URL_OPTION
@click.option("--release", is_flag=True,
              help="A build for publishing: refuse to run without the published address.")
def build(root: Path | None, site_dir: Path | None, no_site: bool, site_url: str | None, release: bool) -> None:
    """Check, render every page to docs/kb/, then run `mkdocs build --strict`.

    A failed check writes nothing; a failed site build leaves the previous site and generated
    pages as they were. Permanent addresses and citations use --site-url or $GPCE_SITE_URL; without
    either the build is a local preview that shows none.

    \b
    Example:
      python -m generator build
      python -m generator build --no-site
      python -m generator build --release --site-url https://your-account.github.io/gp-commissioning-evidence/
    """
    from generator import pipeline

    project = _addressed_project(root, site_url, "build", release=release)
    started = time.perf_counter()
    try:
        if no_site:
            report = pipeline.generate(project)
        else:
            report = pipeline.build(project, site_dir=site_dir)
    except EvidenceError as exc:
        _report_problems(exc.problems)
        click.echo("build: nothing written", err=True)
        sys.exit(EXIT_PROBLEMS)
    except BuildError as exc:
        click.echo(str(exc), err=True)
        click.echo("build: failed; the previous site and generated pages are unchanged", err=True)
        sys.exit(EXIT_PROBLEMS)
    elapsed = time.perf_counter() - started
    target = "docs/kb" if no_site else (str(site_dir) if site_dir else "site/")
    click.echo(f"build: OK in {elapsed:.1f}s ({report.summary()}) -> {target}")
    if not project.addresses.site_url:
        from generator.address import HOW_TO_SET

        click.echo(f"build: a local preview, so pages show no permanent address; for the published site, {HOW_TO_SET}",
                   err=True)


@main.command()
@ROOT_OPTION
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@SITE_URL_OPTION
def serve(root: Path | None, dev_addr: str, site_url: str | None) -> None:
    """Generate the pages, serve the site with live reload, and regenerate on every edit.

    Watches evidence/, references.bib and templates/; a record with problems prints them and
    keeps the last good pages.

    \b
    Example:
      python -m generator serve
      python -m generator serve --dev-addr 127.0.0.1:8001
    """
    from generator.serve import serve as run_serve

    project = _addressed_project(root, site_url, "serve")
    try:
        run_serve(project, dev_addr)
    except EvidenceError as exc:
        _report_problems(exc.problems)
        sys.exit(EXIT_PROBLEMS)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        click.echo(f"serve: {dev_addr} is already in use; stop the other server or choose another "
                   f"address, e.g. --dev-addr 127.0.0.1:8001", err=True)
        sys.exit(EXIT_USAGE)


@main.command("verify-quotes")
@ROOT_OPTION
@click.option("--sources", "texts_dir", type=click.Path(path_type=Path), required=True,
              help="Folder with plain-text copies of the sources.")
@click.option("--map", "mapping_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML file mapping source id to text file name (default: seed-texts.yaml).")
def verify_quotes_command(root: Path | None, texts_dir: Path, mapping_file: Path | None) -> None:
    """Check every quote verbatim against plain-text copies of the sources.

    Exits 1 on any quote not found. If the folder does not exist (as on a reader's machine),
    says so and exits 0.

    \b
    Example:
      python -m generator verify-quotes --sources ../shared/seeds
    """
    from generator.pipeline import check as run_check
    from generator.quotes import load_mapping, verify_quotes

    project = Project.at(root)
    if texts_dir.exists() and not texts_dir.is_dir():
        click.echo(f"verify-quotes: {texts_dir} is a file; --sources takes the folder holding the texts", err=True)
        sys.exit(EXIT_USAGE)
    if not texts_dir.is_dir():
        click.echo(f"verify-quotes: skipped: {texts_dir} not found")
        return
    mapping_path = mapping_file or project.root / "seed-texts.yaml"
    try:
        mapping = load_mapping(mapping_path)
        kb = run_check(project)
    except EvidenceError as exc:
        _report_problems(exc.problems)
        sys.exit(EXIT_PROBLEMS)
    except (OSError, ValueError) as exc:
        click.echo(f"verify-quotes: cannot read the mapping: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    report = verify_quotes(kb, texts_dir, mapping)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for source_id in report.unmapped:
        click.echo(f"verify-quotes: no text for source '{source_id}' (not in {mapping_path.name}); its quotes were not checked", err=True)
    click.echo(f"verify-quotes: {report.checked} quotes checked, {len(report.problems)} not found")
    if report.problems:
        sys.exit(EXIT_PROBLEMS)


@main.command("new")
@click.argument("kind", type=click.Choice(["finding", "lesson", "source", "context", "comparison"]))
@ROOT_OPTION
@click.option("--id", "record_id", default=None, help="The new record's id (a lowercase slug, at most 80 characters).")
@click.option("--source", default="", help="Source id the quote comes from (finding, context, comparison; a lesson stated by a source).")
@click.option("--locator", default="", help="Where the quote stands in the source, e.g. 'Table 3'.")
@click.option("--quote", default="", help="The verbatim quote.")
@click.option("--statement", default="", help="A finding's plain-language statement.")
@click.option("--title", default="", help="A lesson's or comparison's title.")
@click.option("--comparison", default="", help="A context row's comparison id (its columns are listed for you).")
@click.option("--theme", "themes", multiple=True, help="Theme key; repeat for several.")
@click.option("--stakeholder", "stakeholders", multiple=True, help="Stakeholder key; repeat for several.")
@click.option("--finding", "findings", multiple=True, help="A lesson's finding id; repeat for several.")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask for the values (default: ask when run in a terminal without --id).")
def new_command(kind: str, root: Path | None, record_id: str | None, interactive: bool | None, **values) -> None:
    """Scaffold a new record file with every field commented; never overwrites.

    Writes evidence/<kind>s/<id>.yaml with the schema line for editors. Empty values are yours to
    fill in; `check` points at each one until you do.

    \b
    Example:
      python -m generator new finding
      python -m generator new finding --id killoran-maternity-changes --source killoran-1999-total
    """
    from generator.scaffold import Draft, ScaffoldError, create_record

    if interactive is None:
        interactive = record_id is None and sys.stdin.isatty()
    if interactive:
        record_id, values = _ask_for_values(kind, record_id, values)
    lists = {key: list(values.pop(key)) for key in ("themes", "stakeholders", "findings")}
    draft = Draft(kind=kind, id=(record_id or "").strip(), **values, **lists)
    try:
        path = create_record(Project.at(root), draft)
    except ScaffoldError as exc:
        click.echo(f"new: {exc}", err=True)
        sys.exit(EXIT_PROBLEMS)
    shown = path.relative_to(Project.at(root).root).as_posix()
    click.echo(f"new: wrote {shown}")
    click.echo("next: fill in every empty value, then run: python -m generator check")
    if kind == "source":
        click.echo(f"      and add an entry with the key {draft.id} to references.bib")


_PROMPTS = {
    "finding": (("source", "Source id"), ("locator", "Locator (section, table, page)"),
                ("quote", "Verbatim quote"), ("statement", "Statement")),
    "lesson": (("title", "Title (what to do)"),),
    "source": (),
    "context": (("comparison", "Comparison id"), ("source", "Source id"), ("locator", "Locator"),
                ("quote", "Verbatim quote")),
    "comparison": (("title", "Title"), ("source", "Source id"), ("locator", "Locator")),
}


def _ask_for_values(kind: str, record_id: str | None, values: dict) -> tuple[str, dict]:
    """Prompt for the id and the main fields; an empty answer leaves the field for later."""
    record_id = record_id or click.prompt("Id (lowercase-words-with-hyphens)")
    for key, label in _PROMPTS[kind]:
        if not values.get(key):
            values[key] = click.prompt(f"{label} (Enter to fill in later)", default="", show_default=False)
    return record_id, values


@main.command()
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="text (tables) or json.")
@click.option("--min-lessons", type=click.IntRange(min=1), default=2, show_default=True,
              help="Report themes and stakeholders with fewer lessons than this as gaps.")
def stats(root: Path | None, fmt: str, min_lessons: int) -> None:
    """Count records by kind, stakeholder, theme and confidence, and list the gaps.

    \b
    Example:
      python -m generator stats
      python -m generator stats --format json --min-lessons 3
    """
    from generator.stats import collect_stats, format_stats

    kb = _checked(root)
    result = collect_stats(kb, min_lessons=min_lessons)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(format_stats(result), nl=False)


@main.command("mark-checked")
@ROOT_OPTION
@click.argument("records", nargs=-1)
@click.option("--by", "by", required=True, help="Who checked the records against the source (not their author).")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date of the check, YYYY-MM-DD (default: today).")
@click.option("--changed", is_flag=True, help="Also mark every record changed since its last check or never checked.")
def mark_checked_command(root: Path | None, records: tuple[str, ...], by: str, on, changed: bool) -> None:
    """Record that a second reader checked RECORDS against their source.

    Writes a `checked:` block (date, who, and a digest of the checked fields) into each record's
    file. When any checked field changes later, `check` and the record's page say it changed since it
    was last checked. Name records by id, or as kind/id where two kinds share an id.

    \b
    Example:
      python -m generator mark-checked killoran-tpp-definition --by "A. Reader"
      python -m generator mark-checked --changed --by "A. Reader" --date 2026-11-26
    """
    import datetime

    from generator.review import MarkError, find_targets, mark_checked, summarise

    if not records and not changed:
        raise click.UsageError("name the records to mark, or give --changed")
    project = Project.at(root)
    kb = _checked(project.root)
    try:
        targets = find_targets(kb.records, list(records))
    except MarkError as exc:
        raise click.UsageError(str(exc)) from None
    if changed:
        summary = summarise(kb.records)
        named = {(kind, record.id) for kind, record in targets}
        targets += [(kind, kb.records.of_kind(kind)[record_id]) for kind, record_id in summary.changed + summary.unchecked
                    if (kind, record_id) not in named]
    date = on.date() if on else datetime.date.today()
    written = mark_checked(kb.records, targets, by.strip(), date)
    click.echo(f"mark-checked: {len(written)} of {len(targets)} record{'s' if len(targets) != 1 else ''} "
               f"marked checked on {date.isoformat()} by {by.strip()}")


@main.command("mark-assessed")
@ROOT_OPTION
@click.argument("lessons", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every lesson whose findings changed since it was assessed.")
def mark_assessed_command(root: Path | None, lessons: tuple[str, ...], every: bool) -> None:
    """Record that LESSONS' confidence was (re-)assessed against their findings' current grades.

    Writes `finding-grades:` (each finding's grade now) into the lesson's file. Run it after you have
    re-read the lesson's findings and updated its `confidence`; until then, `check` reports a lesson
    whose findings' grades or list changed since its assessment.

    \b
    Example:
      python -m generator mark-assessed killoran-involve-all-gps-in-resource-management
      python -m generator mark-assessed --all
    """
    from generator.grading import current_finding_grades
    from generator.review import mark_assessed

    if not lessons and not every:
        raise click.UsageError("name the lessons to mark, or give --all")
    kb = _checked(root, grade_drift=False)
    r = kb.records
    unknown = [name for name in lessons if name not in r.lessons]
    if unknown:
        raise click.UsageError(f"no lesson '{unknown[0]}'; give a lesson id, e.g. "
                               "killoran-involve-all-gps-in-resource-management")
    chosen = [r.lessons[name] for name in lessons]
    if every:
        chosen += [lesson for lesson in r.lessons.values() if lesson.id not in lessons
                   and lesson.finding_grades != current_finding_grades(lesson, r.findings)]
    written = mark_assessed(r, chosen, r.findings)
    click.echo(f"mark-assessed: {len(written)} of {len(chosen)} lesson{'s' if len(chosen) != 1 else ''} updated")


@main.command("lint")
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
              help="text (file:line:column: warning: message [rule]), github (workflow annotations) or json.")
def lint_command(root: Path | None, fmt: str) -> None:
    """Flag paraphrases that may say more than their quotes, for reviewers of records.

    Runs `check` first, then these rules over findings, lessons and context rows:
    number-not-in-quotes, hedge-dropped, quantifier-stronger, reason-repeated and
    grade-above-reasons (docs/contributing.md explains each). A record accepts a warning
    with a written reason under `accepted-warnings`; an accept that matches no warning is
    reported (accept-unused). Exits 1 if any warning is not accepted, 0 otherwise.

    \b
    Example:
      python -m generator lint
      python -m generator lint --format github
    """
    from generator.lint import lint as run_lint

    kb = _checked(root, fmt)
    report = run_lint(kb)
    _report_lint(report, fmt)
    if report.warnings:
        sys.exit(EXIT_PROBLEMS)


def _report_lint(report, fmt: str) -> None:
    """Each warning, then the summary line (on stderr when there are warnings or stdout holds JSON)."""
    warnings = report.warnings
    if fmt == "json":
        click.echo(json.dumps([{"path": w.path, "line": w.line, "column": w.column, "rule": w.rule, "about": w.about,
                                "record": w.record, "message": w.message, "hint": w.hint} for w in warnings], indent=2))
    for warning in warnings if fmt != "json" else ():
        if fmt == "github":
            click.echo(_github_annotation(warning.as_problem(), "warning"))
        else:
            click.echo(str(warning), err=True)
    accepted = f"{report.accepted} accepted"
    if warnings:
        click.echo(f"lint: {_count(warnings, 'warning')} ({accepted}) in {_count(range(report.files), 'file')}",
                   err=True)
    else:
        click.echo(f"lint: OK ({accepted} warning{'' if report.accepted == 1 else 's'})", err=fmt == "json")


@main.command("release")
@click.argument("version")
@ROOT_OPTION
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Release date for the changelog and citation, YYYY-MM-DD (default: today).")
@click.option("--site-url", default=None, help="Address the site is published at (default: GPCE_SITE_URL).")
@click.option("--dry-run", is_flag=True,
              help="Print the changelog section and the files it would write; change nothing.")
@click.option("--no-tag", is_flag=True, help="Write and commit the release files, but do not tag the commit.")
def release_command(version: str, root: Path | None, on, site_url: str | None, dry_run: bool, no_tag: bool) -> None:
    """Release the evidence as VERSION, vYYYY.N: the year, then the release's number in it from 1.

    Checks the evidence, writes what changed since the previous release at the top of CHANGELOG.md
    (grades changed with their reasons, records added, changed and removed), CITATION.cff and
    .zenodo.json, commits them as "Release VERSION" and tags that commit VERSION. Refuses a version
    that is taken or not after the latest, and uncommitted changes under evidence/. Exits 1 on
    problems in the evidence, 2 on a refusal.

    \b
    Example:
      python -m generator release v2026.1 --site-url https://owner.github.io/evidence/
      python -m generator release v2026.2 --dry-run
    """
    import datetime

    from generator.address import AddressError
    from generator.release import RELEASE_FILES, ReleaseError, plan_release, publish

    project = Project.at(root)
    date = on.date() if on else datetime.date.today()
    try:
        plan = plan_release(project.root, version, date, site_url=site_url)
        if dry_run:
            click.echo(plan.section, nl=False)
            click.echo(f"release: dry run: would write {', '.join(RELEASE_FILES)}, commit them as "
                       f"'Release {version}'{'' if no_tag else f' and tag it {version}'}; nothing written")
            return
        commit = publish(project.root, plan, tag=not no_tag)
    except EvidenceError as exc:
        _report_problems(exc.problems)
        click.echo("release: nothing written", err=True)
        sys.exit(EXIT_PROBLEMS)
    except (ReleaseError, AddressError) as exc:
        click.echo(f"release: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    done = f"committed 'Release {version}' ({commit[:7]})" if commit else "the release files were already committed"
    click.echo(f"release: wrote {', '.join(RELEASE_FILES)}; {done}; "
               + (f"not tagged (--no-tag): run the command again without it to tag {version}" if no_tag
                  else f"tagged {version}"))
    if not no_tag:
        click.echo(f"next: push the commit and the tag (git push && git push origin {version}); the release "
                   "workflow then publishes the GitHub release")


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"),
              show_default=True, help="Folder to write <kind>.schema.json files to.")
def schema(out: Path) -> None:
    """Write the JSON Schema of every record kind, for editors and other tools.

    \b
    Example:
      python -m generator schema --out schema
    """
    from generator.schema import write_schemas

    written = write_schemas(out)
    click.echo(f"schema: wrote {len(written)} files to {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
