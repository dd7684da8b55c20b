"""A plain-text account of an import plan, for the command line."""

from __future__ import annotations

from elearn.roster.planner import Plan, describe_changes


def plan_lines(plan: Plan, *, limit: int = 200) -> list[str]:
    """What would happen, then every bad row with its file and line."""
    lines = [
        f"Format: {'OneRoster 1.1' if plan.format == 'oneroster' else 'simple CSV'} "
        f"({', '.join(plan.files)})",
    ]
    for item in plan.academies:
        verb = "create academy" if item.existing_id is None else "update academy"
        lines.append(f"  {verb}: {item.name} ({item.where})")
    sections = (
        ("create", plan.creates),
        ("update", plan.updates),
        ("deactivate", plan.deactivations),
    )
    for verb, items in sections:
        for item in items[:limit]:
            where = f" ({item.where})" if item.where else ""
            extra = ""
            if verb == "update":
                extra = f": {describe_changes(item.changes)}"
            elif verb == "deactivate":
                extra = f": {item.reason}"
            lines.append(
                f"  {verb} {item.values.username} [{item.values.role.value}]{where}{extra}"
            )
        if len(items) > limit:
            lines.append(f"  … and {len(items) - limit} more to {verb}")
    for link in plan.links_added[:limit]:
        lines.append(f"  link parent {link.parent} to pupil {link.pupil}")
    for link in plan.links_removed[:limit]:
        lines.append(f"  unlink parent {link.parent} from pupil {link.pupil}")
    counts = plan.summary()
    lines.append(
        "Summary: {created} to create, {updated} to update, {deactivated} to deactivate, "
        "{links_added} links to add, {links_removed} links to remove, "
        "{unchanged} unchanged, {errors} bad rows.".format(**counts)
    )
    for error in plan.errors:
        lines.append(f"ERROR {error}")
    return lines
