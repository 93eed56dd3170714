"""Static validation of codec source with CPython's own ast. Never executes the code.

Runs inside the sandbox (a forked child of the harness, under its deadline and the
container's memory cap), so a hostile source that crashes or exhausts the parser
only takes that child down. The findings are advice for the LLM: the container,
not this module, is the security boundary.
"""

import ast
import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
# In the image contract.json sits beside this file; in the repository, one folder up.
CONTRACT_PATH = next(
    (p for p in (os.path.join(_HERE, "contract.json"), os.path.join(_HERE, "..", "contract.json")) if os.path.exists(p)),
    os.path.join(_HERE, "contract.json"),
)

# Reported in this order: the first finding's category is the attempt's category.
CATEGORY_ORDER = ("syntax_errors", "forbidden_imports", "forbidden_calls", "missing_function")
MAX_FINDINGS = 20


def load_contract(path=CONTRACT_PATH):
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)


def _excerpt(lines, line):
    if not line or line < 1 or line > len(lines):
        return ""
    start = max(1, line - 2)
    end = min(len(lines), line + 2)
    out = []
    for number in range(start, end + 1):
        marker = ">" if number == line else " "
        out.append("%s %4d | %s" % (marker, number, lines[number - 1][:200]))
    return "\n".join(out)


class _Findings:
    def __init__(self, lines):
        self.lines = lines
        self.items = []

    def add(self, category, message, node=None, line=None):
        if len(self.items) >= MAX_FINDINGS:
            return
        if node is not None:
            line = getattr(node, "lineno", None)
        self.items.append(
            {
                "category": category,
                "message": message,
                "line": line,
                "excerpt": _excerpt(self.lines, line),
            }
        )


def _dotted(node):
    """'np.linalg.norm' for an Attribute chain rooted at a Name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _check_signature(function, expected, findings):
    args = function.args
    positional = list(args.posonlyargs) + list(args.args)
    required = len(positional) - len(args.defaults)
    wanted = len(expected)
    accepts = len(positional) >= wanted or args.vararg is not None
    required_kwonly = [
        kw.arg for kw, default in zip(args.kwonlyargs, args.kw_defaults) if default is None
    ]
    if required > wanted or not accepts or required_kwonly:
        findings.add(
            "missing_function",
            "%s must accept exactly %d positional arguments (%s); it is defined as %s(%s)"
            % (
                function.name,
                wanted,
                ", ".join(expected),
                function.name,
                ", ".join(a.arg for a in positional),
            ),
            node=function,
        )


def analyse(source_bytes, contract):
    """Returns {'ok': bool, 'findings': [...]} for the given source bytes."""
    findings = _Findings([])
    limit = int(contract["max_source_bytes"])
    if len(source_bytes) > limit:
        findings.add(
            "syntax_errors",
            "source is %d bytes; the limit is %d bytes: write a smaller codec"
            % (len(source_bytes), limit),
        )
        return {"ok": False, "findings": findings.items}
    try:
        text = source_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        findings.add("syntax_errors", "source is not valid UTF-8: %s" % error)
        return {"ok": False, "findings": findings.items}
    findings.lines = text.splitlines()
    try:
        tree = ast.parse(text, filename="codec.py", mode="exec")
    except SyntaxError as error:
        findings.add(
            "syntax_errors",
            "%s: %s" % (type(error).__name__, error.msg),
            line=error.lineno,
        )
        return {"ok": False, "findings": findings.items}
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:
        findings.add(
            "syntax_errors",
            "the parser gave up on this source (%s: %s): reduce the nesting depth"
            % (type(error).__name__, str(error)[:200]),
        )
        return {"ok": False, "findings": findings.items}

    _check_tree(tree, contract, findings)
    ordered = sorted(
        findings.items,
        key=lambda item: (CATEGORY_ORDER.index(item["category"]), item["line"] or 0),
    )
    return {"ok": not ordered, "findings": ordered}


def _check_tree(tree, contract, findings):
    allowed = set(contract["allowed_modules"])
    forbidden_calls = set(contract["forbidden_calls"])
    forbidden_attributes = set(contract["forbidden_attributes"])
    # Bare names and strings are checked against the dunder escapes only: a variable called
    # `modules` is fine, `obj.modules` reaching sys.modules is not.
    forbidden_dunders = {name for name in forbidden_attributes if name.startswith("__")}
    module_attributes = {k: set(v) for k, v in contract["forbidden_module_attributes"].items()}
    aliases = {}  # local name -> dotted module path it stands for

    def check_module_path(path, node):
        root = path.split(".")[0]
        if root not in allowed:
            findings.add(
                "forbidden_imports",
                "import of '%s' is not allowed; allowed modules: %s"
                % (path, ", ".join(contract["allowed_modules"])),
                node=node,
            )
            return False
        for part in path.split(".")[1:2]:
            if part in module_attributes.get(root, ()):
                findings.add(
                    "forbidden_imports",
                    "'%s' does file or code loading and is not allowed" % path,
                    node=node,
                )
                return False
        return True

    # ast.walk is breadth-first and iterative: deep trees cannot overflow the C stack here.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if check_module_path(alias.name, node):
                    local = alias.asname or alias.name.split(".")[0]
                    aliases[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                findings.add("forbidden_imports", "relative imports are not allowed", node=node)
                continue
            module = node.module or ""
            if not check_module_path(module, node):
                continue
            for alias in node.names:
                if alias.name == "*":
                    findings.add(
                        "forbidden_imports",
                        "'from %s import *' is not allowed: import names explicitly" % module,
                        node=node,
                    )
                    continue
                check_module_path("%s.%s" % (module, alias.name), node)
                aliases[alias.asname or alias.name] = "%s.%s" % (module, alias.name)
        elif isinstance(node, ast.Name):
            if node.id in forbidden_calls:
                findings.add(
                    "forbidden_calls",
                    "use of builtin '%s' is not allowed" % node.id,
                    node=node,
                )
            elif node.id in forbidden_dunders:
                findings.add(
                    "forbidden_calls",
                    "use of '%s' is not allowed (no introspection escapes)" % node.id,
                    node=node,
                )
        elif isinstance(node, ast.Attribute):
            if node.attr in forbidden_attributes:
                findings.add(
                    "forbidden_calls",
                    "attribute '%s' is not allowed: it reaches introspection, other modules, files or raw memory" % node.attr,
                    node=node,
                )
                continue
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                if head in aliases and rest:
                    full = "%s.%s" % (aliases[head], rest)
                    root, *parts = full.split(".")
                    banned = module_attributes.get(root, ())
                    if parts and parts[0] in banned:
                        findings.add(
                            "forbidden_calls",
                            "'%s' does file or code loading and is not allowed" % full,
                            node=node,
                        )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in forbidden_dunders:
                findings.add(
                    "forbidden_calls",
                    "string '%s' names a forbidden attribute" % node.value,
                    node=node,
                )

    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for name, expected in contract["required_functions"].items():
        function = functions.get(name)
        if function is None:
            findings.add(
                "missing_function",
                "define a top-level function %s(%s)" % (name, ", ".join(expected)),
            )
        elif isinstance(function, ast.AsyncFunctionDef):
            findings.add(
                "missing_function", "%s must be a plain def, not async def" % name, node=function
            )
        else:
            _check_signature(function, expected, findings)
