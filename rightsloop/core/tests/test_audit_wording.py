"""Every audit action the code writes reads as a sentence on the audit log page.

The actions are found by reading the source: each `audit.record(action=...)` call, following a string through
the conditional expressions, f-strings, local variables and helper parameters (`_record(..., "grievance.read")`)
that carry it there. A part only known at run time is expanded by _expanded() below, which names the values it
can take; a new one fails until it is added there.
"""

import ast
from pathlib import Path

from rightsloop.core.audit_wording import WORDINGS, grouped_choices

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "\x00"  # stands for the part of a string only known at run time


def _expanded():
    from rightsloop.grievances.vocabulary import ConfirmationAnswer, MessageDirection
    from rightsloop.relationships.models.agreements import Answer
    from rightsloop.relationships.models.ratings import RatingNotice
    from rightsloop.resourcing.models import PaymentState, TrancheState

    return {
        "agreement.\x00": {f"agreement.{answer}" for answer in Answer.values},
        "grant.\x00": {f"grant.{state}" for state in PaymentState.values},
        "grant.tranche_\x00": {f"grant.tranche_{state}" for state in TrancheState.values},
        "payment.\x00": {f"payment.{state}" for state in PaymentState.values},
        "grievance.message_\x00": {f"grievance.message_{direction}" for direction in MessageDirection.values},
        "rating_round.\x00_sent": {f"rating_round.{kind}_sent" for kind in RatingNotice.Kind.values},
        "remedy_action.\x00": {f"remedy_action.{answer}" for answer in ConfirmationAnswer.values},
    }


def _is_audit_record(call: ast.Call) -> bool:
    return (isinstance(call.func, ast.Attribute) and call.func.attr == "record"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "audit")


# Keyed by the module's id, the module kept alive beside its map so that no other module reuses the id.
_SCOPES: dict[int, tuple[ast.Module, dict[int, ast.AST]]] = {}


def _enclosing(module: ast.Module, target: ast.AST):
    """The innermost function around a node (None at module level)."""
    if id(module) not in _SCOPES:
        scopes: dict[int, ast.AST] = {}

        def visit(node, scope):
            for child in ast.iter_child_nodes(node):
                scopes[id(child)] = scope
                visit(child, child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope)

        visit(module, None)
        _SCOPES[id(module)] = (module, scopes)
    return _SCOPES[id(module)][1].get(id(target))


def _values(node, scope, module, depth=0) -> set[str]:
    """The strings an expression may hold, UNKNOWN marking what only run time knows."""
    if depth > 8:
        return {UNKNOWN}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, scope, module, depth + 1) | _values(node.orelse, scope, module, depth + 1)
    if isinstance(node, ast.JoinedStr):
        results = {""}
        for part in node.values:
            options = (_values(part.value, scope, module, depth + 1) if isinstance(part, ast.FormattedValue)
                       else {part.value})
            results = {r + o for r in results for o in options}
        return results
    if isinstance(node, ast.Name) and scope is not None:
        found = set()
        for sub in ast.walk(scope):
            if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in sub.targets):
                found |= _values(sub.value, scope, module, depth + 1)
        arguments = scope.args
        positional = arguments.posonlyargs + arguments.args
        defaults = dict(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]],
                            arguments.defaults, strict=True))
        defaults |= {a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d}
        names = [a.arg for a in positional]
        if node.id in names or node.id in [a.arg for a in arguments.kwonlyargs]:
            if node.id in defaults:
                found |= _values(defaults[node.id], scope, module, depth + 1)
            found |= _call_sites(scope.name, node.id, names.index(node.id) if node.id in names else None, module,
                                 depth + 1)
        return found or {UNKNOWN}
    return {UNKNOWN}


def _call_sites(function, parameter, position, module, depth) -> set[str]:
    found = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
            scope = _enclosing(module, node)
            for keyword in node.keywords:
                if keyword.arg == parameter:
                    found |= _values(keyword.value, scope, module, depth)
            if position is not None and len(node.args) > position:
                found |= _values(node.args[position], scope, module, depth)
    return found


def written_actions() -> dict[str, str]:
    """Every action the product's code writes to the audit log, with one place that writes it."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        module = ast.parse(path.read_text())
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and _is_audit_record(node):
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        for value in _values(keyword.value, _enclosing(module, node), module):
                            found.setdefault(value, f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def test_the_source_reader_finds_actions_through_helpers_defaults_and_branches():
    actions = written_actions()
    assert "decision.recorded" in actions and "decision.revised" in actions  # a conditional expression
    assert "grievance.read" in actions  # through a module's _record helper
    assert "api_token.revoked" in actions  # a parameter's default
    assert "consultation.theme_renamed" in actions  # an f-string around a helper's parameter
    assert len(actions) > 150


def test_every_action_written_anywhere_has_human_wording():
    expansions = _expanded()
    unworded, unknown = [], []
    for action, where in sorted(written_actions().items()):
        if UNKNOWN in action:
            if action not in expansions:
                unknown.append(f"{action.replace(UNKNOWN, '{…}')} ({where})")
                continue
            unworded += [f"{value} ({where})" for value in sorted(expansions[action]) if value not in WORDINGS]
        elif action not in WORDINGS:
            unworded.append(f"{action} ({where})")
    assert not unknown, ("Actions only known at run time: name their values in "
                         f"test_audit_wording._expanded(): {unknown}")
    assert not unworded, f"Audit actions without a sentence in core/audit_wording.py: {unworded}"


def test_every_sentence_names_who_or_what_and_is_offered_in_the_filter():
    offered = {code for _area, choices in grouped_choices() for code, _label in choices}
    assert offered == set(WORDINGS)
    for wording in WORDINGS.values():
        text = str(wording.sentence)
        assert "%(who)s" in text or "%(target)s" in text or wording.action in {
            "api_token.expired", "portal.sign_in_refused"}, wording.action
        text % {"who": "x", "target": "y"}  # every placeholder is one the page fills
