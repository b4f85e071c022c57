"""The pages' files as they are installed: the vendored NL Design System stylesheets with their
licences, and templates a Content-Security-Policy without 'unsafe-inline' allows."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "followup" / "web"
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
VENDOR = Path("followup/web/static/vendor")
VENDORED = ("utrecht-component-library-css/index.css", "voorbeeld-design-tokens/theme.css")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The package as setuptools builds it into a wheel (its `build_py` step)."""
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q",
         "egg_info", "--egg-base", str(out), "build_py", "--build-lib", str(out / "lib")],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return out / "lib"


@pytest.mark.parametrize("stylesheet", VENDORED)
def test_the_package_holds_each_stylesheet_with_its_licence(built, stylesheet):
    folder = built / VENDOR / stylesheet.split("/")[0]
    assert (built / VENDOR / stylesheet).read_bytes() == (ROOT / VENDOR / stylesheet).read_bytes()
    assert (built / VENDOR / f"{stylesheet}.gz").is_file()
    licence = (folder / "LICENSE.md").read_text(encoding="utf-8")
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in licence
    readme = (built / VENDOR / "README.md").read_text(encoding="utf-8")
    assert f"`{stylesheet.split('/')[0]}/`" in readme  # where it came from, which version


def test_the_package_holds_every_template_and_static_file(built):
    for source in [*TEMPLATES, *(WEB / "static").rglob("*")]:
        if source.is_file():
            assert (built / source.relative_to(ROOT)).is_file(), source


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_have_no_inline_script_or_style(template):
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", html), "a style attribute"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html), "an event handler attribute"
    for script in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL):
        assert "src=" in script[1] and not script[2].strip(), "an inline script"
