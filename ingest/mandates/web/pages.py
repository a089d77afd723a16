"""The one template set of the web layer (``templates/``): the Jinja2 environment that renders
every HTML page, of the static site and of the server alike, and the site's fixed phrases.

Every page extends ``templates/layout.html`` (the site's header, navigation and footer);
values are escaped on output (autoescaping, written as :func:`html.escape` writes them, so
the published bytes stay those of earlier versions). The fixed phrases in Chinese and
English are in ``templates/messages.json`` (:func:`M`), the stylesheet is ``templates/style.css``.

>>> render_string('{{ x }}', x='<a href="?">')
'&lt;a href=&quot;?&quot;&gt;'
>>> M("Home")
('首页', 'Home')
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

from mandates import __version__
from mandates.rdf.describe import DATA_LICENSE

__all__ = ["DATA_LICENSE", "TEMPLATES", "M", "messages", "render", "render_string", "stream", "environment"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=None)
def messages() -> dict[str, dict[str, str]]:
    """The site's fixed phrases: ``{phrase: {"zh": ..., "en": ...}}``."""
    return json.loads((TEMPLATES / "messages.json").read_text(encoding="utf-8"))


def M(key: str, **fields: Any) -> tuple[str, str]:
    """The Chinese and English of a fixed phrase of the site (``templates/messages.json``);
    a field given as a ``(zh, en)`` pair is filled in per language."""
    entry = messages()[key]
    return tuple(entry[lang].format(**{k: (v[i] if isinstance(v, tuple) else v) for k, v in fields.items()})
                 for i, lang in enumerate(("zh", "en")))  # type: ignore[return-value]


def _escape(value: Any) -> Any:
    """Every value a template writes, escaped as :func:`html.escape` does (markup stays markup)."""
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of ``templates/`` (autoescaping, undefined names are errors)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             finalize=_escape, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(M=M, version=__version__, data_license=DATA_LICENSE)
    return env


def render(template: str, **context: Any) -> str:
    """The page ``template`` (a file of ``templates/``) rendered with ``context``."""
    return environment().get_template(template).render(**context)


def stream(template: str, **context: Any) -> Iterator[str]:
    """:func:`render`, in pieces (a long answer is never one string)."""
    return environment().get_template(template).generate(**context)


def render_string(source: str, **context: Any) -> str:
    """A template given as text, rendered in the same environment."""
    return environment().from_string(source).render(**context)
