"""The 17:30 daily summary of a branch (domain.md §5): every field worker's state, the
customers' feedback and satisfaction, as text for an e-mail or a message."""

from __future__ import annotations

from datetime import date, datetime

from callcore.domain.directory import Directory
from callcore.projections.satisfaction import SatisfactionView
from callcore.projections.workload import Workload


def daily_summary_text(
    directory: Directory,
    branch: str,
    day: date,
    at: datetime,
    workload: Workload,
    satisfaction: SatisfactionView,
) -> str:
    lines = [f"{directory.branch(branch).name} — {day.isoformat()}", "", "Field workers:"]
    mine_workers = [w for w in directory.field_workers.values() if w.branch == branch]
    for worker in sorted(mine_workers, key=lambda w: w.id):
        load = workload.worker_load(worker.id, day, at)
        to_do = ", ".join(f"{w.dispatch_id} ({w.status})" for w in load.to_do) or "nothing left"
        lines.append(
            f"  {worker.id} {worker.name}: {load.done} done of {load.booked} booked "
            f"(capacity {load.capacity}); to do: {to_do}"
        )
    rows = {row.id: row for row in satisfaction.branches}
    mine = rows.get(branch)
    lines.append("")
    if mine is None or mine.calls == 0:
        lines.append("Satisfaction: no follow-up calls today.")
    else:
        mean = "—" if mine.mean_rating is None else f"{mine.mean_rating:.1f} of 5"
        lines.append(
            f"Satisfaction: {mine.calls} calls, {mine.reached} reached, mean {mean}; "
            f"{mine.complaints} complaints ({mine.re_complaints} re-complaints)"
        )
    problems = [p for p in satisfaction.problems if p.subject]
    if problems:
        lines.append("Customers raised:")
        lines.extend(f"  {p.subject}: {p.text}" for p in problems)
    return "\n".join(lines)
