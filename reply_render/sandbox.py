"""The locked-down Jinja environment admin-edited letter templates run in.

Templates are edited by office admins and their output reaches citizens, so the environment is narrower than
Jinja's stock sandbox: no globals, no attribute access at all (placeholders are plain strings), a short list of
filters, no loops, macros or includes. While a template renders, a budget counts every piece of text it builds
(``~`` joins, filter results, the output as it is produced): no value may pass ``MAX_OUTPUT_CHARS``, all of
them together ``MAX_WORK_CHARS``, and the whole rendering ``RENDER_SECONDS``. The budget is checked before a
large value is built, so a template that keeps doubling a string stops at the limit instead of taking the
memory of the machine.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, Iterable

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reply_render.placeholders import PLACEHOLDER_NAMES

MAX_SOURCE_CHARS = 50_000
MAX_OUTPUT_CHARS = 200_000  # the letter, and any one value built on the way
MAX_WORK_CHARS = 2_000_000  # all text the template builds in one rendering
RENDER_SECONDS = 2.0
_MAX_WRAP_WIDTH = 200
_MAX_TRUNCATE = 10_000


def _replace(value: str, old: str, new: str) -> str:
    value, old, new = str(value), str(old), str(new)
    if not old:
        # Replacing the empty string inserts `new` between every character: a cheap way to explode the output.
        raise SecurityError("replace() needs a non-empty text to look for")
    if len(new) > len(old) and len(value) + value.count(old) * (len(new) - len(old)) > MAX_OUTPUT_CHARS:
        raise SecurityError(f"replace() would make a text longer than {MAX_OUTPUT_CHARS} characters")
    return value.replace(old, new)


def _truncate(value: str, length: int = 255, end: str = "...") -> str:
    value = str(value)
    length = max(0, min(int(length), _MAX_TRUNCATE))
    return value if len(value) <= length else value[: max(0, length - len(end))] + end


def _wordwrap(value: str, width: int = 79) -> str:
    import textwrap

    width = max(10, min(int(width), _MAX_WRAP_WIDTH))
    return "\n".join(textwrap.fill(line, width) if line else "" for line in str(value).split("\n"))


def _default(value: Any, fallback: str = "") -> str:
    return value if value else fallback


ALLOWED_FILTERS: dict[str, Any] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "title": lambda v: str(v).title(),
    "capitalize": lambda v: str(v).capitalize(),
    "trim": lambda v: str(v).strip(),
    "default": _default,
    "d": _default,
    "replace": _replace,
    "truncate": _truncate,
    "wordwrap": _wordwrap,
    "length": lambda v: len(v),
}
ALLOWED_TESTS = ("defined", "undefined", "none", "string", "number", "eq", "ne", "in", "==", "!=",
                 "equalto", "sameas")

# Statement and expression nodes a letter needs; everything else (loops, macros, imports, calls,
# attribute access ...) is refused before the template is ever run.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Assign,
    nodes.Name, nodes.Const, nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand,
    nodes.And, nodes.Or, nodes.Not, nodes.CondExpr, nodes.Concat, nodes.Keyword, nodes.Pos, nodes.Neg,
)
_NODE_WORDS = {
    nodes.For: "loops ({% for %})", nodes.Macro: "macros", nodes.CallBlock: "call blocks",
    nodes.Call: "function or method calls", nodes.Getattr: "attribute access (x.y)",
    nodes.Getitem: "subscripts (x[...])", nodes.Include: "includes", nodes.Import: "imports",
    nodes.FromImport: "imports", nodes.Extends: "template inheritance", nodes.Block: "blocks",
    nodes.Mul: "multiplication", nodes.Pow: "powers", nodes.Mod: "the % operator", nodes.Add: "arithmetic (+)",
    nodes.Sub: "arithmetic (-)", nodes.Div: "arithmetic (/)", nodes.FloorDiv: "arithmetic (//)",
    nodes.List: "lists", nodes.Dict: "dictionaries", nodes.Tuple: "tuples", nodes.With: "with blocks",
    nodes.FilterBlock: "filter blocks", nodes.AssignBlock: "set blocks", nodes.Slice: "slices",
}


class RenderBudget:
    """What one rendering may still spend: characters built and time."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.work = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"rendering the letter took longer than {RENDER_SECONDS:g} seconds")

    def spend(self, size: int) -> None:
        """Count a value of ``size`` characters about to be built; refuse it when over a limit."""
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"a text in the letter would be longer than {MAX_OUTPUT_CHARS} characters")
        self.work += size
        if self.work > MAX_WORK_CHARS:
            raise SecurityError(f"the template builds more than {MAX_WORK_CHARS} characters of text")
        self.check_time()


class _CountedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to the environment's counted join instead of Jinja's unbounded one."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.counted_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class LetterSandbox(ImmutableSandboxedEnvironment):
    """Jinja sandbox for plain-text letters: strict undefined, no autoescape (the output is text), no globals,
    every piece of text it builds counted against a ``RenderBudget``."""

    code_generator_class = _CountedCodeGenerator
    # Refused before rendering by ``static_problems``; should one slip through, the sandbox still counts (and
    # refuses repeating text with ``*``).
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                         trim_blocks=False, lstrip_blocks=True, auto_reload=False, cache_size=0)
        self.globals.clear()
        self.filters = {name: self._counted(f) for name, f in ALLOWED_FILTERS.items()}
        self.tests = {name: self.tests[name] for name in ALLOWED_TESTS if name in self.tests}
        self.budget = RenderBudget()

    def _counted(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            self.budget.check_time()
            result = function(*args, **kwargs)
            if isinstance(result, str):
                self.budget.spend(len(result))
            return result
        return run

    def counted_join(self, values: Iterable[Any]) -> str:
        """``a ~ b ~ ...``: the pieces as text, joined only if the budget allows the result."""
        parts = [str(value) for value in values]
        self.budget.spend(sum(len(part) for part in parts))
        return "".join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator in {"*", "**"} and any(isinstance(v, (str, list, tuple)) for v in (left, right)):
            raise SecurityError("repeating text or lists is not allowed in letter templates")
        if operator == "**":
            raise SecurityError("powers are not allowed in letter templates")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str):
            self.budget.spend(len(result))
        return result

    # Defence in depth: the static check already refuses these nodes, but if one slipped through,
    # the runtime refuses any attribute at all, not just the underscore ones.
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, (int, slice)) and isinstance(obj, str):
            return obj[argument]
        return self.unsafe_undefined(obj, str(argument))


# One {% ... %} tag alone on its line (no "%}" inside it).
_TAG_LINE = re.compile(r"^([ \t]*\{%(?:(?!%\}).)*%\}[ \t]*)\n", re.MULTILINE)


def prepare_source(source: str) -> str:
    """Make a ``{% ... %}`` tag that stands alone on its line vanish with its line break.

    Jinja's ``trim_blocks`` would also eat the line break after a tag at the end of a text line
    ("Due {{ due_date }}.{% endif %}"), silently joining it to the next line. Instead the line break
    after a lone tag is moved into a comment: the output loses it, line numbers in errors stay right.
    """
    return _TAG_LINE.sub(lambda m: m.group(1) + "{#\n#}", source.replace("\r\n", "\n"))


def static_problems(tree: nodes.Template) -> list[str]:
    """Refuse unknown placeholders and any construct outside the small allowed set, with line numbers."""
    problems: list[str] = []
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
    seen: set[tuple[str, str]] = set()

    def add(kind: str, key: str, message: str) -> None:
        if (kind, key) not in seen:
            seen.add((kind, key))
            problems.append(message)

    for node in _walk(tree):
        line = getattr(node, "lineno", None)
        where = f"line {line}: " if line else ""
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            add("filter", node.name, f"{where}unknown filter '{node.name}' (allowed: {', '.join(ALLOWED_FILTERS)})")
        elif isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            add("test", node.name, f"{where}unknown test '{node.name}'")
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name not in PLACEHOLDER_NAMES and node.name not in assigned:
                add("name", node.name, f"{where}unknown placeholder '{node.name}'")
        elif not isinstance(node, _ALLOWED_NODES):
            what = next((w for cls, w in _NODE_WORDS.items() if isinstance(node, cls)), type(node).__name__)
            add("node", what, f"{where}{what} not allowed in letter templates")
    return problems


def _walk(node: nodes.Node) -> Iterable[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def render_bounded(env: LetterSandbox, source: str, context: dict[str, str]) -> str:
    """Render ``source`` within a fresh ``RenderBudget``; stop as soon as the output passes ``MAX_OUTPUT_CHARS``,
    the text built passes ``MAX_WORK_CHARS`` or the time ``RENDER_SECONDS``."""
    env.budget = RenderBudget()
    template = env.from_string(prepare_source(source))
    parts: list[str] = []
    size = 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"the letter would be longer than {MAX_OUTPUT_CHARS} characters")
        env.budget.check_time()
        parts.append(chunk)
    return "".join(parts)
