"""The graph checks on a validated case: unique ids, known guidance, where each `next`
leads and which rules can apply, reachability, loops and dead ends, red-flag screening,
and the best path (which the engine scores). Each problem is a (yaml path, message) pair;
cases/lint.py turns the path into a line of the file.

Pure Python (no Django), like the linter that runs it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cases.format import (
    Case,
    DecisionStage,
    Dimension,
    GuidanceEntry,
    Grade,
    OutcomeStage,
    PickStage,
    Transition,
)


def graph_problems(case: Case, catalogue: dict[str, GuidanceEntry]) -> list[tuple[list, str]]:
    """Semantic checks pydantic cannot express. Returns (yaml path, message) pairs."""
    out: list[tuple[list, str]] = []
    stage_ids: dict[str, int] = {}
    option_ids: dict[str, list] = {}
    for i, stage in enumerate(case.stages):
        if stage.id in stage_ids:
            out.append((["stages", i, "id"], f"duplicate stage id '{stage.id}'"))
        stage_ids.setdefault(stage.id, i)
        for j, opt in enumerate(getattr(stage, "options", [])):
            if opt.id in option_ids:
                out.append((["stages", i, "options", j, "id"], f"duplicate option id '{opt.id}' (ids are unique per case)"))
            option_ids.setdefault(opt.id, ["stages", i, "options", j])
    if out:
        return out

    def check_guidance(ids: Iterable[str], loc: list) -> None:
        for k, gid in enumerate(ids):
            if gid not in catalogue:
                out.append(([*loc, k], f"unknown guidance id '{gid}' (see cases/guidance.yaml)"))

    for key in ("present", "screen"):
        check_guidance(getattr(case.red_flags, key), ["red_flags", key])
        for k, gid in enumerate(getattr(case.red_flags, key)):
            if gid in catalogue and catalogue[gid].kind.value != "red_flag":
                out.append((["red_flags", key, k], f"'{gid}' is a {catalogue[gid].kind.value}, not a red flag"))

    conditions: list[tuple[str, list, str]] = []  # (stage id, yaml path of the when_any entry, its option id)

    def targets(nxt, loc: list, sid: str) -> list[str]:
        if nxt is None:
            return []
        rules = [Transition(goto=nxt)] if isinstance(nxt, str) else nxt
        found = []
        earlier: set[str] | None = set()  # options earlier rules match on; None after a default
        default_at = 0  # which rule (1-based) is that default
        for r_i, rule in enumerate(rules):
            rloc = loc if isinstance(nxt, str) else [*loc, r_i]
            # The engine takes the first rule that matches, so a rule behind a default, or
            # one whose options all lead an earlier rule to match, is never read.
            if earlier is None or (rule.when_any and set(rule.when_any) <= earlier):
                why = f"rule {default_at} has no when_any and always applies" if earlier is None else "every option it names already matches an earlier rule"
                out.append((rloc, f"next rule {r_i + 1} (goto '{rule.goto}') can never apply: {why}; the engine takes the first rule that matches"))
            if earlier is not None:
                earlier = earlier | set(rule.when_any) if rule.when_any else None
                default_at = r_i + 1
            # A rule spans lines (`- when_any: [...]`, then `goto:`): point at the field to fix.
            if rule.goto not in stage_ids:
                out.append((rloc if isinstance(nxt, str) else [*rloc, "goto"], f"next stage '{rule.goto}' does not exist"))
            else:
                found.append(rule.goto)
            for k, oid in enumerate(rule.when_any):
                if oid not in option_ids:
                    out.append(([*rloc, "when_any", k], f"when_any names unknown option '{oid}'"))
                else:
                    conditions.append((sid, [*rloc, "when_any", k], oid))
        if not isinstance(nxt, str) and rules and rules[-1].when_any:
            out.append(([*loc, len(rules) - 1, "when_any"], "the last rule of a conditional next needs no when_any (the default)"))
        return found

    edges: dict[str, set[str]] = {}
    screenable: set[str] = set()
    for i, stage in enumerate(case.stages):
        loc = ["stages", i]
        succ: set[str] = set()
        if isinstance(stage, PickStage):
            succ.update(targets(stage.next, [*loc, "next"], stage.id))
            for j, opt in enumerate(stage.options):
                check_guidance(opt.screens, [*loc, "options", j, "screens"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                if not opt.reveals.strip():
                    out.append(([*loc, "options", j], f"option '{opt.id}' has no 'reveals' text"))
                if opt.on_best_path:
                    screenable.update(opt.screens)
                if opt.unsafe and opt.yield_.value == "essential":
                    out.append(([*loc, "options", j], f"option '{opt.id}' is both unsafe and essential: the best path cannot take it"))
            # The best path takes every safe essential or useful option, then moves on: the engine
            # refused its "Move on" below min_picks, a traceback from lint_cases and load_cases.
            taken = sum(o.on_best_path for o in stage.options)
            needed = min(stage.min_picks, len(stage.options))
            if taken < needed:
                out.append(([*loc, "min_picks"], f"stage '{stage.id}': moving on needs {needed} pick(s) (min_picks), but only {taken} option(s) are essential or useful and safe, which is all the best path takes: lower min_picks, or make more options essential or useful"))
        elif isinstance(stage, DecisionStage):
            stage_next = targets(stage.next, [*loc, "next"], stage.id)
            for j, opt in enumerate(stage.options):
                check_guidance(opt.cites, [*loc, "options", j, "cites"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                own = targets(opt.next, [*loc, "options", j, "next"], stage.id)
                if opt.next is None and stage.next is None:
                    out.append(([*loc, "options", j], f"dead end: option '{opt.id}' and its stage have no next"))
                succ.update(own or stage_next)
                # Rubric D4: a wrong assessment "shows its pf id" (or tp-symptom-not-diagnosis,
                # which its ids list too), so the debrief can name the trap.
                wrong = opt.grade in (Grade.poor, Grade.dangerous)
                if stage.scores is Dimension.assessment and wrong and not any(t.startswith(("pf-", "tp-")) for t in opt.triggers):
                    out.append(([*loc, "options", j], f"assessment option '{opt.id}' is graded {opt.grade.value} but triggers no pitfall: add the pf- id it falls into (or the tp- point it goes against) to triggers"))
            if not any(o.grade is Grade.best for o in stage.options):
                out.append(([*loc, "options"], f"decision '{stage.id}' has no option graded best"))
        else:
            check_guidance(stage.cites, [*loc, "cites"])
        edges[stage.id] = succ

    if case.start not in stage_ids:
        out.append((["start"], f"start stage '{case.start}' does not exist"))
        return out
    if out:
        return out

    # Reachability and cycles (the engine relies on a DAG: each option chosen once).
    seen: set[str] = set()
    stack = [case.start]
    while stack:
        sid = stack.pop()
        if sid not in seen:
            seen.add(sid)
            stack.extend(edges[sid])
    for sid, i in stage_ids.items():
        if sid not in seen:
            out.append((["stages", i, "id"], f"stage '{sid}' is unreachable from start '{case.start}'"))
    loop = _find_loop(case.start, edges)
    if loop:
        back, first = loop[-2], loop[-1]  # the next of `back` that leads to `first` closes the loop
        i = stage_ids[back]
        stage = case.stages[i]
        closing = [*_loc_of_next_to(stage, first)]
        out.append(
            (["stages", i, *closing], "the stages form a loop (" + " -> ".join(loop) + f"): change this next of '{back}'; every path must end in an outcome")
        )
        return out
    for sid, i in stage_ids.items():
        stage = case.stages[i]
        if not isinstance(stage, OutcomeStage) and not edges[sid]:
            out.append((["stages", i], f"dead end: stage '{sid}' leads nowhere and is not an outcome"))
    if not any(isinstance(s, OutcomeStage) for s in case.stages):
        out.append((["stages"], "the case has no outcome stage"))
    out.extend(_unmatchable_conditions(conditions, edges, {oid: case.stages[loc[1]].id for oid, loc in option_ids.items()}))
    marked = _ext_marks(case)
    if marked and not case.ext_notes:
        # On the first `ext: true`, not the title: the author looks for what made the notes necessary.
        out.append((marked[0], "ext_notes: missing: this is marked ext; add an ext_notes list at the end of the file saying in plain words what goes beyond the source, for the reviewing clinician"))

    for key in ("present", "screen"):
        for k, gid in enumerate(getattr(case.red_flags, key)):
            if gid not in screenable:
                what = "present" if key == "present" else "to screen"
                out.append((["red_flags", key, k], f"red flag {what} '{gid}' is screened by no essential/useful option"))
    if out:
        return out
    out.extend(_best_path_problems(case, catalogue))
    return out


def _loc_of_next_to(stage, target: str) -> list:
    """Where in a stage the `next` leading to `target` is written: the stage's own, or an option's."""
    def leads(nxt) -> bool:
        return nxt == target if isinstance(nxt, str) else any(r.goto == target for r in nxt or [])

    for j, opt in enumerate(getattr(stage, "options", [])):
        if getattr(opt, "next", None) is not None and leads(opt.next):
            return ["options", j, "next"]
    return ["next"] if leads(getattr(stage, "next", None)) else ["id"]


def _find_loop(start: str, edges: dict[str, set[str]]) -> list[str]:
    """A loop reachable from start, as the stage ids around it (first repeated at the end), or [].
    Depth-first without recursion: a long chain of stages must not exhaust Python's stack."""
    state: dict[str, int] = {start: 1}  # 1 = on the current path, 2 = done
    path: list[str] = [start]
    pending = [iter(sorted(edges[start]))]
    while pending:
        nxt = next(pending[-1], None)
        if nxt is None:
            state[path.pop()] = 2
            pending.pop()
        elif state.get(nxt) == 1:
            return path[path.index(nxt):] + [nxt]
        elif nxt not in state:
            state[nxt] = 1
            path.append(nxt)
            pending.append(iter(sorted(edges[nxt])))
    return []


def _unmatchable_conditions(conditions, edges: dict[str, set[str]], stage_of: dict[str, str]) -> list[tuple[list, str]]:
    """A when_any can only match an option chosen before the rule is read: one on
    this stage or on a stage that can lead here. Any other id makes the rule dead."""
    before: dict[str, set[str]] = {sid: set() for sid in edges}
    for sid, succ in edges.items():
        for nxt in succ:
            before[nxt].add(sid)
    out = []
    for sid, loc, oid in conditions:
        seen, stack = {sid}, [sid]
        while stack:
            for prev in before[stack.pop()] - seen:
                seen.add(prev)
                stack.append(prev)
        if stage_of[oid] not in seen:
            out.append((loc, f"when_any names '{oid}' (stage '{stage_of[oid]}'), which can never have been chosen when '{sid}' is left: list options from '{sid}' or the stages before it"))
    return out


def _ext_marks(case: Case) -> list[list]:
    """The yaml path of every `ext: true`, in file order."""
    marks: list[list] = []
    for i, stage in enumerate(case.stages):
        if stage.ext:
            marks.append(["stages", i, "ext"])
        marks.extend(["stages", i, "options", j, "ext"] for j, opt in enumerate(getattr(stage, "options", [])) if opt.ext)
    return marks


def _best_path_problems(case: Case, catalogue: dict[str, GuidanceEntry]) -> list[tuple[list, str]]:
    from trainer.engine import Playbook  # engine and scoring are pure Python too
    from trainer.scoring import TOP_BAND

    book = Playbook(case, catalogue)
    best = book.best_choices
    if not best:
        return [(["stages"], "the case has no best path (follow the options graded best: it must reach an outcome)")]
    report = book.debrief(best)
    out: list[tuple[list, str]] = []
    if report.outcome is None or not report.outcome.good:
        out.append((["stages"], "the best path ends in an outcome that is not marked good: true"))
    if report.unsafe:
        out.append((["stages"], "the best path is flagged unsafe: " + "; ".join(report.safety_reasons)))
    scored = {r.dimension for r in report.decisions}
    for dim in (Dimension.workup, Dimension.assessment, Dimension.plan):
        if dim.value not in scored:
            out.append((["stages"], f"the best path has no decision that scores '{dim.value}'"))
    if not out and report.total < TOP_BAND:
        out.append((["stages"], f"the best path scores {report.total}, below the top band ({TOP_BAND})"))
    return out
