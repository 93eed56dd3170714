"""Static validation of codec source with CPython's own ast. Never executes the code.

Runs inside the sandbox (a forked child of the harness, under its deadline and the
container's memory cap), so a hostile source that crashes or exhausts the parser
only takes that child down. The findings are advice for the LLM: the container,
not this module, is the security boundary.
"""

import ast
import json
import os
import re

import tunables

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


# The tokenizer ends a line at \n, \r\n or \r only. str.splitlines() also splits at \x0b, \x0c,
# \x1c-\x1e, \x85, \u2028 and \u2029, which may sit inside a comment or a string, so its line
# numbers drift from the parser's and a finding would point at the wrong line.
_LINE_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def source_lines(text, keepends=False):
    """The lines of a source text as CPython's tokenizer numbers them (line n is item n - 1)."""
    lines = _LINE_END.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


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


def cause(key, **subject):
    """A finding's machine-readable cause: `key` is `kind` or `kind:detail` (the vocabulary is in
    src/evaluation/cause.ts), `subject` the details as fields. The message beside it is for people
    and may be reworded freely: no code reads it."""
    return {"key": key, "subject": subject}


class _Findings:
    def __init__(self, lines):
        self.lines = lines
        self.items = []

    def add(self, category, message, cause, node=None, line=None):
        if len(self.items) >= MAX_FINDINGS:
            return
        if node is not None:
            line = getattr(node, "lineno", None)
        self.items.append(
            {
                "category": category,
                "message": message,
                "cause": cause,
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


class _BannedAttributes:
    """contract.json's banned_attributes: names refused on any object, whatever expression reaches it.

    The rule is by attribute, not by alias: `np.load`, `(np,)[0].load`, `m = np; m.load` and
    `[io][0].open` all end in an ast.Attribute whose attr is `load` or `open`, so tracking what a
    name stands for is not needed to refuse them. The exceptions (json.loads, json.load, json.dump)
    hold only where the receiver is statically that module: a bare name bound by `import json`
    (or `import json as j`) and never rebound anywhere in the file. Through any other expression
    the same attribute is ambiguous and refused. Stream methods such as `.read()` and `.write()`
    stay legal on anything: they act on an object that is already open, and every attribute that
    opens a file is banned.
    """

    def __init__(self, contract):
        spec = contract.get("banned_attributes", {})
        self.names = set(spec.get("names", ()))
        self.prefixes = tuple(spec.get("prefixes", ()))
        self.allowed = set(spec.get("allowed", ()))
        self.module_exceptions = {k: set(v) for k, v in spec.get("module_exceptions", {}).items()}

    def banned(self, attr):
        if attr in self.allowed:
            return False
        return attr in self.names or attr.lstrip("_").startswith(self.prefixes)

    def excepted(self, module, attr):
        """True if `module.attr` is one of the named exceptions (module is a dotted import path)."""
        return attr in self.module_exceptions.get(module, ())

    def exceptions_text(self, attr):
        modules = sorted(m for m, names in self.module_exceptions.items() if attr in names)
        return ", ".join("%s.%s" % (m, attr) for m in modules)


def _static_imports(tree):
    """Local name -> the dotted path it imports, for names whose only binding is one import.

    A name also bound any other way (assigned, a parameter, a loop target, a def, imported twice
    as two different things...) cannot be trusted to be the module it was imported as. Computed
    over the whole tree first, so it does not depend on the order in which ast.walk visits nodes.
    """
    rebound = set()
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            rebound.add(node.id)
        elif isinstance(node, ast.arg):
            rebound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            rebound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            rebound.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            rebound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            rebound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            rebound.add(node.rest)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                imported.setdefault(local, set()).add(alias.name if alias.asname else local)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported.setdefault(alias.asname or alias.name, set()).add(
                    "%s.%s" % (node.module or "", alias.name)
                )
    return {
        name: next(iter(paths))
        for name, paths in imported.items()
        if len(paths) == 1 and name not in rebound
    }


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
            cause(
                "signature:%s" % function.name,
                function=function.name,
                expected=", ".join(expected),
                defined=", ".join(a.arg for a in positional),
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
            cause("source_too_large", bytes=len(source_bytes), limit_bytes=limit),
        )
        return {"ok": False, "findings": findings.items}
    try:
        text = source_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        findings.add(
            "syntax_errors",
            "source is not valid UTF-8: %s" % error,
            cause("not_utf8", position=error.start),
        )
        return {"ok": False, "findings": findings.items}
    findings.lines = source_lines(text)
    try:
        tree = ast.parse(text, filename="codec.py", mode="exec")
    except SyntaxError as error:
        findings.add(
            "syntax_errors",
            "%s: %s" % (type(error).__name__, error.msg),
            cause("exception:%s" % type(error).__name__, exception=type(error).__name__, detail=str(error.msg)[:200]),
            line=error.lineno,
        )
        return {"ok": False, "findings": findings.items}
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:
        findings.add(
            "syntax_errors",
            "the parser gave up on this source (%s: %s): reduce the nesting depth"
            % (type(error).__name__, str(error)[:200]),
            cause("parser_gave_up:%s" % type(error).__name__, exception=type(error).__name__),
        )
        return {"ok": False, "findings": findings.items}

    _check_tree(tree, contract, findings)
    spec = _check_tunables(tree, contract, findings)
    ordered = sorted(
        findings.items,
        key=lambda item: (CATEGORY_ORDER.index(item["category"]), item["line"] or 0),
    )
    return {"ok": not ordered, "findings": ordered, "tunables": spec if not ordered else None}


def _check_tunables(tree, contract, findings):
    """The TUNABLES literal (tunables.py): each bad entry is a missing_function finding (the
    contract's shape is wrong) whose cause names the entry. Returns the spec, or None."""
    problems, spec = tunables.check(tree, contract["tunables"])
    for entry, message, node in problems:
        key = re.sub(r"[\s\x00-\x1f\x7f]", "_", entry) or "_"
        findings.add("missing_function", message, cause("tunables:%s" % key, entry=entry), node=node)
    return spec


def _check_tree(tree, contract, findings):
    allowed = set(contract["allowed_modules"])
    forbidden_calls = set(contract["forbidden_calls"])
    forbidden_attributes = set(contract["forbidden_attributes"])
    # Bare names and strings are checked against the dunder escapes only: a variable called
    # `modules` is fine, `obj.modules` reaching sys.modules is not.
    forbidden_dunders = {name for name in forbidden_attributes if name.startswith("__")}
    module_attributes = {k: set(v) for k, v in contract["forbidden_module_attributes"].items()}
    banned_attributes = _BannedAttributes(contract)
    aliases = {}  # local name -> dotted module path it stands for
    static_imports = _static_imports(tree)

    def static_module(receiver):
        """The module path a receiver certainly is (an import-bound, never rebound name), else None."""
        return static_imports.get(receiver.id) if isinstance(receiver, ast.Name) else None

    def check_module_path(path, node):
        root = path.split(".")[0]
        if root not in allowed:
            findings.add(
                "forbidden_imports",
                "import of '%s' is not allowed; allowed modules: %s"
                % (path, ", ".join(contract["allowed_modules"])),
                cause("module:%s" % root, module=root, path=path),
                node=node,
            )
            return False
        for part in path.split(".")[1:2]:
            if part in module_attributes.get(root, ()):
                findings.add(
                    "forbidden_imports",
                    "'%s' does file or code loading and is not allowed" % path,
                    cause("module_attribute:%s" % path, path=path),
                    node=node,
                )
                return False
        # `from typing import sys` and `from cv2 import dnn_readNet` bind the same objects as the
        # attributes typing.sys and cv2.dnn_readNet, so they are refused as those attributes are.
        parts = path.split(".")
        for index in range(1, len(parts)):
            part = parts[index]
            if part in forbidden_attributes or (
                banned_attributes.banned(part)
                and not banned_attributes.excepted(".".join(parts[:index]), part)
            ):
                findings.add(
                    "forbidden_imports",
                    "'%s' does file or code loading and is not allowed" % path,
                    cause("module_attribute:%s" % path, path=path),
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
                findings.add(
                    "forbidden_imports",
                    "relative imports are not allowed",
                    cause("relative_import", level=node.level),
                    node=node,
                )
                continue
            module = node.module or ""
            if not check_module_path(module, node):
                continue
            for alias in node.names:
                if alias.name == "*":
                    findings.add(
                        "forbidden_imports",
                        "'from %s import *' is not allowed: import names explicitly" % module,
                        cause("star_import:%s" % module, module=module),
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
                    cause("call:%s" % node.id, name=node.id),
                    node=node,
                )
            elif node.id in forbidden_dunders:
                findings.add(
                    "forbidden_calls",
                    "use of '%s' is not allowed (no introspection escapes)" % node.id,
                    cause("call:%s" % node.id, name=node.id),
                    node=node,
                )
        elif isinstance(node, ast.Attribute):
            if node.attr in forbidden_attributes:
                findings.add(
                    "forbidden_calls",
                    "attribute '%s' is not allowed: it reaches introspection, other modules, files or raw memory" % node.attr,
                    cause("attribute:%s" % node.attr, attribute=node.attr),
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
                            cause("module_attribute:%s" % full, path=full),
                            node=node,
                        )
                        continue
            if banned_attributes.banned(node.attr):
                module = static_module(node.value)
                if module is not None and banned_attributes.excepted(module, node.attr):
                    continue
                allowed_as = banned_attributes.exceptions_text(node.attr)
                only = " (only %s, on the imported module itself)" % allowed_as if allowed_as else ""
                findings.add(
                    "forbidden_calls",
                    "attribute '%s' can load code, touch files or reach attributes by name: it is not "
                    "allowed on any object, whatever expression reaches it%s" % (node.attr, only),
                    cause("attribute:%s" % node.attr, attribute=node.attr, except_on=allowed_as),
                    node=node,
                )
        elif isinstance(node, ast.keyword) and node.arg == "allow_pickle":
            findings.add(
                "forbidden_calls",
                "the keyword 'allow_pickle' is not allowed in any call: unpickling runs arbitrary code",
                cause("keyword:allow_pickle", keyword="allow_pickle"),
                node=node,
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in forbidden_dunders:
                findings.add(
                    "forbidden_calls",
                    "string '%s' names a forbidden attribute" % node.value,
                    cause("string:%s" % node.value, value=node.value),
                    node=node,
                )
            elif node.value == "allow_pickle":
                # **{"allow_pickle": True} passes the keyword without an ast.keyword naming it.
                findings.add(
                    "forbidden_calls",
                    "string 'allow_pickle' is not allowed: unpickling runs arbitrary code",
                    cause("string:allow_pickle", value="allow_pickle"),
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
                cause("missing:%s" % name, function=name, parameters=", ".join(expected)),
            )
        elif isinstance(function, ast.AsyncFunctionDef):
            findings.add(
                "missing_function",
                "%s must be a plain def, not async def" % name,
                cause("async:%s" % name, function=name),
                node=function,
            )
        else:
            _check_signature(function, expected, findings)
