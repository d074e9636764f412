"""Shape rules the import contracts cannot express: no import circle inside ``kiosk``, and no
module reaching into another object's private members.

A private reach (``x._name`` with ``x`` not ``self``/``cls``) couples a module to another's
insides; the steps of the journey see the core only through its port
(:class:`kiosk.core.port.StepContext`), and maintenance through public accessors. Tests may reach
in; production code may not, except for the few cases listed in ``ALLOWED`` with their reasons.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "ui", "sync", "offline_cache", "drivers", "central")
#: Underscore names that are public by convention (namedtuple methods, documented sys/os escapes).
PUBLIC_UNDERSCORE = frozenset({"_replace", "_asdict", "_fields", "_make", "_exit", "_getframe", "_MEIPASS"})
#: (path, reach) → why it is allowed.
ALLOWED: dict[tuple[str, str], str] = {
    # A class reaching its own private members through its name: not another object's insides.
    **{("kiosk/audit_hooks.py", f"SessionAuditor.{n}"): "own class's handlers, named in its dispatch table"
       for n in ("_journey", "_submitted", "_wiped", "_receipt_printed", "_receipt_failed", "_staff_called",
                 "_device")},
    # The expression tree's nodes evaluate their children: one class family, one private protocol.
    **{("kiosk/forms/expr_nodes.py", f"{x}._eval"): "expression nodes evaluate their child nodes"
       for x in ("self.operand", "self.left", "self.right", "arg")},
}


def _reaches(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name, owner = node.attr, node.value
        if not name.startswith("_") or name.startswith("__") or name in PUBLIC_UNDERSCORE:
            continue
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            continue
        found.append((node.lineno, f"{ast.unparse(owner)}.{name}"))
    return found


def test_no_module_reaches_into_another_objects_private_members() -> None:
    offences = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for line, reach in _reaches(ast.parse(path.read_text(encoding="utf-8"))):
                if (relative, reach) not in ALLOWED:
                    offences.append(f"{relative}:{line}: {reach}")
    assert not offences, "private members reached from outside:\n" + "\n".join(offences)


def test_no_import_circle_inside_kiosk() -> None:
    graph = grimp.build_graph("kiosk", cache_dir=None)
    modules = sorted(graph.modules)
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i.startswith("kiosk."))
             for m in modules}
    # Tarjan's strongly connected components: any component of two or more modules is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges.get(module, []):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    assert not circles, f"import circles inside kiosk: {circles}"
