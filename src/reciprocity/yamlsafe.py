"""Bounded, safe YAML: the one way the package reads YAML that users give it.

``yaml.safe_load`` already refuses to build arbitrary Python objects, but it still lets a
small file cost unbounded time and memory, and it fails with tracebacks:

* a few hundred bytes of nested aliases (a "billion laughs" file) expand to gigabytes as soon
  as anything walks the data;
* thousands of nested brackets overflow the composer's recursion;
* an unknown tag (``!python/object``) surfaces as a constructor error outside the parse.

:class:`SafeLoader` (pure Python, so every limit is enforced) refuses documents larger than
``max_chars``, nesting deeper than ``max_depth``, more than ``max_aliases`` aliases and any
document whose aliases expand to more than ``max_nodes`` nodes, and tags it does not know.
:func:`load` and :func:`compose` turn every YAML failure into a
:class:`~reciprocity.errors.FormatError` whose problem says where (``file:line:column``), what
was found and what was expected.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from reciprocity.errors import FormatError, Problem

MAX_CHARS = 5_000_000
MAX_DEPTH = 100
MAX_ALIASES = 100
MAX_NODES = 200_000
WELL_FORMED = "well-formed YAML (check indentation, colons and quotes)"
PLAIN = ("plain YAML: mappings, lists, text, numbers, true/false, null and dates "
         "(no tags such as !python/object)")


class LimitError(yaml.MarkedYAMLError):
    """A document over one of the loader's limits (raised with the place it was reached)."""

    def __init__(self, problem: str, mark: yaml.Mark | None, expected: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.expected = expected


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with limits on size, nesting depth and aliases."""

    max_chars = MAX_CHARS
    max_depth = MAX_DEPTH
    max_aliases = MAX_ALIASES
    max_nodes = MAX_NODES

    def __init__(self, stream: str) -> None:
        if len(stream) > self.max_chars:
            raise LimitError(f"a document of {len(stream):,} characters", None,
                             f"at most {self.max_chars:,} characters")
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # the scanner reads ahead over every open bracket (quadratic in their number): stop it
        # before the composer would
        if self.flow_level >= self.max_depth:
            raise LimitError(f"brackets nested deeper than {self.max_depth} levels",
                             self.get_mark(),
                             f"lists and mappings nested at most {self.max_depth} deep")
        super().fetch_flow_collection_start(token_class)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= self.max_depth:
            raise LimitError(f"indentation nested deeper than {self.max_depth} levels",
                             self.get_mark(),
                             f"lists and mappings nested at most {self.max_depth} deep")
        return super().add_indent(column)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.max_aliases:
                raise LimitError(f"more than {self.max_aliases} aliases (*name)",
                                 self.peek_event().start_mark,
                                 f"at most {self.max_aliases} aliases; write the values out")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > self.max_depth:
            raise LimitError(f"lists and mappings nested deeper than {self.max_depth} levels",
                             self.peek_event().start_mark,
                             f"lists and mappings nested at most {self.max_depth} deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> yaml.Node | None:
        node = super().compose_document()
        if self._aliases and node is not None:
            over = _first_over(node, self.max_nodes)
            if over is not None:
                raise LimitError(f"aliases that expand to more than {self.max_nodes:,} values",
                                 over.start_mark, "aliases that repeat small parts only")
        return node


def _first_over(root: yaml.Node, cap: int) -> yaml.Node | None:
    """The first (innermost) node that, with every alias written out, has more than ``cap``
    nodes; None when the whole document stays within ``cap``. Linear in distinct nodes."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if done or not children:
            sizes[id(node)] = min(cap + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
            if sizes[id(node)] > cap:
                return node
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def compose(text: str, name: str, loader: type[SafeLoader] = SafeLoader) -> yaml.Node | None:
    """The node tree of one YAML document (None when empty), within the loader's limits."""
    try:
        instance = loader(text)
        try:
            return instance.get_single_node()
        finally:
            instance.dispose()
    except (yaml.YAMLError, RecursionError) as exc:
        raise as_input_error(exc, name) from None


def construct(node: yaml.Node | None, name: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Python data of a node tree from :func:`compose` (unknown tags refused)."""
    if node is None:
        return None
    instance = loader("")
    try:
        return instance.construct_document(node)
    except (yaml.YAMLError, RecursionError) as exc:
        raise as_input_error(exc, name) from None
    finally:
        instance.dispose()


def load(text: str, name: str, loader: type[SafeLoader] = SafeLoader) -> Any:
    """Python data of one YAML document, or :class:`FormatError` saying what and where."""
    return construct(compose(text, name, loader), name, loader)


def as_input_error(exc: BaseException, name: str) -> FormatError:
    """A YAML failure as the package's error: ``name:line:column``, found, expected."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
    if isinstance(exc, LimitError):
        return FormatError(f"{name}: YAML refused", [Problem(where, exc.problem or "",
                                                             exc.expected)])
    if isinstance(exc, RecursionError):
        return FormatError(f"{name}: YAML refused", [Problem(
            where, "nesting too deep to read", f"lists and mappings nested at most "
            f"{MAX_DEPTH} deep")])
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.constructor.ConstructorError):
        tag = re.search(r"for the tag (\S+)", problem)
        found = f"the unknown tag {tag.group(1)}" if tag else problem
        return FormatError(f"{name}: YAML refused", [Problem(where, found, PLAIN)])
    return FormatError(f"{name}: malformed YAML", [Problem(where, problem, WELL_FORMED)])
