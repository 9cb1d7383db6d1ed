"""The documentation: the site builds strictly with the tour notebook executed, every command and Python
snippet it shows runs as shown (scripts/docs_commands.py), the API reference covers every module, the
README stays short, and the Known results page lists every claim of tables/known/literature.claims."""

import importlib
import importlib.util
import pkgutil
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


docs_commands = _script("docs_commands")
PAGES = docs_commands.pages()


@pytest.fixture
def restore_families():
    """Snippets may register target families (docs/targets.md does): remove them afterwards."""
    from circuits.targets import families, unregister_family

    before = {f.name for f in families()}
    yield
    for f in families():
        if f.name not in before:
            unregister_family(f.name)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_command_and_snippet_of_a_page_runs_as_shown(page, tmp_path, restore_families):
    outcomes = docs_commands.run_page(page, tmp_path, slow=False)
    problems = [f"{page.name}:{o.command.line}: {o.command.text}: {p}" for o in outcomes for p in o.problems]
    assert not problems, "\n".join(problems)


def test_the_docs_show_commands_and_slow_ones_are_listed():
    """Every lbt command of a fenced block is in a console block; the slow list names only commands the docs show."""
    shown = {
        docs_commands.key(c) for p in PAGES for c in docs_commands.parse(p) if isinstance(c, docs_commands.Command)
    }
    assert len(shown) >= 60
    assert set(docs_commands.SLOW) <= shown and set(docs_commands.NOT_RUN) <= shown


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_the_slow_commands_of_a_page_run_as_shown(page, tmp_path, restore_families):
    if not any(docs_commands.key(c) in docs_commands.SLOW for c in docs_commands.parse(page) if hasattr(c, "argv")):
        pytest.skip("no slow command on this page")
    outcomes = docs_commands.run_page(page, tmp_path, slow=True)
    problems = [f"{page.name}:{o.command.line}: {o.command.text}: {p}" for o in outcomes for p in o.problems]
    assert not problems, "\n".join(problems)


def test_a_changed_output_is_caught(tmp_path):
    """The command check can fail: a page whose shown output differs from what lbt prints."""
    page = tmp_path / "page.md"
    page.write_text("```console\n$ lbt eval scripts/examples/par3_threshold.json par:3\ntable 0x97\n```\n")
    (outcome,) = docs_commands.run_page(page, tmp_path / "run")
    assert outcome.problems == ["shown but not printed: 'table 0x97'"]
    page.write_text("```console\n$ lbt eval scripts/examples/par3_threshold.json maj:3\n```\n")
    (outcome,) = docs_commands.run_page(page, tmp_path / "run2")
    assert outcome.problems and outcome.problems[0].startswith("exit code 1, the page shows 0")
    page.write_text("```sh\nlbt info maj:3\n```\n")
    with pytest.raises(ValueError, match="console block"):
        docs_commands.parse(page)


def test_the_site_builds_strictly_with_the_notebook_executed(tmp_path):
    build_docs = _script("build_docs")
    site = tmp_path / "site"
    build_docs.build(site)
    tour = (site / "notebooks" / "tour.html").read_text()
    # the executed notebook's outputs are in the page: the verdicts and the witness drawings (or their text)
    assert "maj:4 over b2: minimum size 7, proven" in tour and "maj:4 over b2 -&gt; verified" in tour
    assert "CONFIRMED" in tour and ("<svg" in tour or "boolean circuit over B2" in tour)
    for page in ("index", "known-results", "reductions", "api/solvers", "api/circuits"):
        assert (site / f"{page}.html").is_file()
    assert "synthesize_threshold" in (site / "api" / "solvers.html").read_text()  # docstrings rendered


def test_the_api_reference_covers_every_module():
    listed = set()
    for page in (ROOT / "docs" / "api").glob("*.md"):
        listed |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(), flags=re.M))
    modules = set()
    for package in ("circuits", "solvers", "reductions", "lbt"):
        path = importlib.import_module(package).__path__
        modules |= {info.name for info in pkgutil.walk_packages(path, package + ".")}
    assert modules <= listed, f"not in docs/api: {sorted(modules - listed)}"
    assert listed <= modules | {"circuits", "solvers", "reductions", "lbt"}


def test_the_readme_is_short_and_links_into_the_docs():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) <= 15_000
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link


def test_known_results_lists_every_literature_claim():
    from lbt.claims import load_claims

    page = (ROOT / "docs" / "known-results.md").read_text()
    claims = load_claims(ROOT / "tables" / "known" / "literature.claims")
    for claim in claims:
        assert f"| `{claim}` |" in page, str(claim)
    verdicts = re.findall(r"^\| `[^`]+` \| (CONFIRMED|REFUTED|UNKNOWN|ERROR) \|", page, flags=re.M)
    assert len(verdicts) == len(claims)
    counts = re.search(r"\*\*(\d+) claims: (\d+) confirmed, (\d+) refuted, (\d+) unknown", page)
    assert counts is not None and int(counts[1]) == len(claims)
    assert [int(counts[k]) for k in (2, 3, 4)] == [verdicts.count(v) for v in ("CONFIRMED", "REFUTED", "UNKNOWN")]
