"""The optional module-level TUNABLES literal of a codec (docs/ARCHITECTURE.md section 2.1).

Read with ast.literal_eval from the parsed tree: never executed. `check` returns the findings
(each names the entry it is about) and the spec when it is valid; `defaults` the values a codec
gets in config['params'] when the orchestrator sent none. The orchestrator checks the spec again
(src/evaluation/tunables.ts): what this module says is advice, like every finding.
"""

import ast
import math

NAME = "TUNABLES"


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _assignments(tree):
    """Every top-level statement binding TUNABLES, as (node, value node or None)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == NAME for t in node.targets
        ):
            single = len(node.targets) == 1
            found.append((node, node.value if single else None))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == NAME:
            found.append((node, node.value))
    return found


def _entry_problem(name, entry, limits):
    """What is wrong with one entry, or None."""
    if not isinstance(name, str) or not name.isidentifier() or len(name) > limits["max_name_chars"]:
        return "the name must be a Python identifier of at most %d characters" % limits["max_name_chars"]
    if not isinstance(entry, dict):
        return "the entry must be a dict such as {'type': 'float', 'min': 0.5, 'max': 2.0, 'default': 1.0}"
    kind = entry.get("type")
    if kind not in limits["types"]:
        return "unknown type %r; the types are %s" % (kind, ", ".join(limits["types"]))
    if kind == "choice":
        allowed_keys = {"type", "choices", "default"}
    else:
        allowed_keys = {"type", "min", "max", "default"}
    extra = sorted(str(k) for k in entry if k not in allowed_keys)
    if extra:
        return "unknown key(s) %s for type %r; the keys are %s" % (
            ", ".join(extra), kind, ", ".join(sorted(allowed_keys)))
    missing = sorted(k for k in allowed_keys if k not in entry)
    if missing:
        return "missing key(s) %s" % ", ".join(missing)
    default = entry["default"]
    if kind == "choice":
        choices = entry["choices"]
        if not isinstance(choices, (list, tuple)) or not choices or len(choices) > limits["max_choices"]:
            return "choices must be a non-empty list of at most %d values" % limits["max_choices"]
        if not all(_number(c) or isinstance(c, str) for c in choices):
            return "choices must be numbers or strings"
        if len(set(choices)) != len(choices):
            return "choices must be distinct"
        if not any(default == c and type(default) is type(c) for c in choices):
            return "default %r is not one of the choices" % (default,)
        return None
    check = _integer if kind == "int" else _number
    low, high = entry["min"], entry["max"]
    if not check(low) or not check(high):
        return "min and max must be %s numbers" % ("integer" if kind == "int" else "finite")
    if not low < high:
        return "min (%r) must be below max (%r)" % (low, high)
    if not check(default):
        return "default %r is not %s" % (default, "an integer" if kind == "int" else "a finite number")
    if not low <= default <= high:
        return "default %r is outside [%r, %r]" % (default, low, high)
    return None


def check(tree, limits):
    """(problems, spec): problems is a list of (entry, message, node); spec is None when absent
    or invalid, else the literal as a dict."""
    found = _assignments(tree)
    if not found:
        return [], None
    if len(found) > 1:
        return [(NAME, "TUNABLES is assigned %d times; define it once, as one literal" % len(found), found[1][0])], None
    node, value = found[0]
    if value is None:
        return [(NAME, "TUNABLES must be assigned on its own (TUNABLES = {...})", node)], None
    try:
        spec = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return [(NAME, "TUNABLES must be a literal dict (numbers, strings, lists, dicts): it is read with ast.literal_eval, never run", node)], None
    if not isinstance(spec, dict):
        return [(NAME, "TUNABLES must be a dict of name -> {'type': ..., ...}", node)], None
    problems = []
    if len(spec) > limits["max_entries"]:
        problems.append((NAME, "TUNABLES has %d entries; at most %d are allowed" % (len(spec), limits["max_entries"]), node))
    for name, entry in spec.items():
        problem = _entry_problem(name, entry, limits)
        if problem is not None:
            problems.append((str(name)[:60], "TUNABLES entry '%s': %s" % (str(name)[:60], problem), node))
    return problems, (None if problems else spec)


def defaults(tree, limits):
    """The defaults of a valid TUNABLES, {} when there is none or it is invalid."""
    problems, spec = check(tree, limits)
    if problems or spec is None:
        return {}
    return {name: entry["default"] for name, entry in spec.items()}


def typed(params, tree, limits):
    """The orchestrator's values with each entry's own type, as the spec declares it: JSON
    carries 2.0 as 2, so a float entry is made a float again and a choice becomes the spec's
    own element (2.0 in [1.5, 2.0] stays 2.0). Names the spec lacks are kept as given (the
    orchestrator checked them against the spec it was told of)."""
    problems, spec = check(tree, limits)
    if problems or spec is None:
        return dict(params)
    out = {}
    for name, value in params.items():
        entry = spec.get(name)
        if not isinstance(entry, dict):
            out[name] = value
        elif entry.get("type") == "float" and _number(value):
            out[name] = float(value)
        elif entry.get("type") == "int" and _number(value) and float(value).is_integer():
            out[name] = int(value)
        elif entry.get("type") == "choice":
            out[name] = next((c for c in entry.get("choices", []) if c == value and type(c) is not bool), value)
        else:
            out[name] = value
    return out
