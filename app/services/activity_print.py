"""What an activity's PDF shows: the copy as transmitted, or a labelled regeneration from current data.

The copy kept at transmission (`transmitted_copy`) holds the content and the printed header facts
(names, states, flags, office details) as they were then, and the PDF made from them; printing a
transmitted activity gives that PDF back unchanged. 'Current data' rebuilds the same form from the
profile and case as they are now, under a label that says it is not what was sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.jurisdictions import BY_CODE
from app.core.permissions import Actor
from app.core.vocabulary import WARRANT_DISCLAIMER, ActivityStatus, Sex, SupervisionType
from app.forms.activities import spec_for
from app.forms.fields import FieldKind, format_date
from app.models import Activity, Jurisdiction, Offender, TransmittedCopy, User
from app.services.warrants import special_status_labels

_SEX_WORDS = {Sex.MALE: "Male", Sex.FEMALE: "Female", Sex.OTHER: "Other", Sex.UNKNOWN: "Unknown"}


@dataclass(frozen=True)
class PrintedActivity:
    pdf: bytes
    # What the copy is, in words: "as transmitted ..." or "regenerated from current data ...".
    label: str
    as_sent: bool


def _state_name(code: str) -> str:
    info = BY_CODE.get(code)
    return info.name if info else code


def header_facts(session: Session, activity: Activity) -> dict[str, Any]:
    """The facts printed around the content, read now: kept in the transmitted copy as they were."""
    case = activity.case
    offender = session.get(Offender, case.offender_id)
    office = session.get(Jurisdiction, activity.from_state)
    author = session.get(User, activity.author_id) if activity.author_id else None
    return {
        "activity_number": activity.activity_number,
        "type": activity.type.value,
        "case_number": case.case_number,
        "from_state": activity.from_state,
        "to_state": activity.to_state,
        "supervision_type": case.supervision_type.value,
        "sex_offender": offender.sex_offender,
        "victim_sensitive": offender.victim_sensitive,
        "special_statuses": list(special_status_labels(session, offender)),
        "offender": {
            "name": " ".join(
                part
                for part in (
                    offender.first_name,
                    offender.middle_name,
                    offender.last_name,
                    offender.suffix,
                )
                if part
            ),  # fmt: skip
            "offender_number": offender.offender_number,
            "date_of_birth": offender.date_of_birth.isoformat() if offender.date_of_birth else None,
            "sex": _SEX_WORDS.get(offender.sex, "") if offender.sex else "",
            "race": offender.race or "",
            "state_id": offender.state_id or "",
            "fbi_number": offender.fbi_number or "",
        },
        "office": {
            "phone": (office.office_phone if office else None) or "",
            "fax": (office.office_fax if office else None) or "",
            "address": (office.office_address if office else None) or "",
            "email": (office.office_email if office else None) or "",
            "designee": (office.designee_name if office else None) or "",
        },
        "author": author.full_name if author else "",
    }


def _display(kind: FieldKind, choices, value: Any) -> str:
    if value is None or value == "":
        return ""
    if kind is FieldKind.DATE:
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
    if kind is FieldKind.CHOICE:
        return dict(choices).get(value, str(value))
    if kind is FieldKind.FLAG:
        return "Yes" if value else "No"
    if kind is FieldKind.STATE:
        return _state_name(value)
    return str(value)


def _compliance_lines(compliance: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    lines = [
        ("Receiving state notified", format_date(date.fromisoformat(compliance["notified_date"])))
    ]
    if compliance.get("warrant_issued_date"):
        issued = date.fromisoformat(compliance["warrant_issued_date"])
        lines.insert(0, ("Warrant issued", format_date(issued)))
    if compliance.get("due_date"):
        due = format_date(date.fromisoformat(compliance["due_date"]))
        verdict = "on time" if compliance.get("on_time") else "LATE"
        lines.append(("Notice due", f"{due} ({compliance.get('rule', '')}): {verdict}"))
    return tuple(lines)


def content_sections(
    activity_type, content: dict[str, Any]
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The content as printed and shown: each form section's labels and values in words."""
    spec = spec_for(activity_type)
    sections = []
    for section in spec.form.sections:
        rows = tuple(
            (field.label, _display(field.kind, field.choices, content.get(field.name)))
            for field in section.fields
        )
        sections.append((section.title, rows))
    if content.get("compliance"):
        sections.append(("Compliance (Rule 5.101(b))", _compliance_lines(content["compliance"])))
    return tuple(sections)


def build_document(activity_type, facts: dict[str, Any], content: dict[str, Any], *,
                   day: date | None, copy_label: str, status_line: str = ""):  # fmt: skip
    """The PDF's data from the header facts and the content: the same for both kinds of copy."""
    from app.pdf.activity_form import ActivityDocument, CheckBox

    spec = spec_for(activity_type)
    supervision = SupervisionType(facts["supervision_type"])
    person = facts["offender"]
    born = person.get("date_of_birth")
    offender = (
        ("Name", person["name"]),
        ("Offender #", person["offender_number"]),
        ("Date of birth", format_date(date.fromisoformat(born)) if born else ""),
        ("Sex", person.get("sex", "")),
        ("Race", person.get("race", "")),
        ("State ID (SID)", person.get("state_id", "")),
        ("FBI number", person.get("fbi_number", "")),
        # Facts saved before the line existed have none to print.
        *(
            (("Special status", "; ".join(facts["special_statuses"]) or "None"),)
            if "special_statuses" in facts
            else ()
        ),
    )
    sections = content_sections(activity_type, content)
    office = facts["office"]
    office_lines = tuple(
        line
        for line in (
            f"{_state_name(facts['from_state'])} compact office",
            office.get("address", ""),
            office.get("email", ""),
            f"Designee: {office['designee']}" if office.get("designee") else "",
        )
        if line
    )
    is_warrant_related = activity_type.value == "discretionary_retake"
    return ActivityDocument(
        title=spec.form.title,
        activity_number=facts["activity_number"],
        case_number=facts["case_number"],
        to_state=_state_name(facts["to_state"]),
        from_state=_state_name(facts["from_state"]),
        date=day,
        supervision=(
            CheckBox("Parole", supervision in (SupervisionType.PAROLE, SupervisionType.BOTH)),
            CheckBox("Probation", supervision in (SupervisionType.PROBATION, SupervisionType.BOTH)),
        ),
        case_flags=(
            CheckBox("Sex Offender", bool(facts["sex_offender"])),
            CheckBox("Victim sensitive", bool(facts["victim_sensitive"])),
        ),
        phone=office.get("phone", ""),
        fax=office.get("fax", ""),
        office_lines=office_lines,
        offender=offender,
        sections=sections,
        copy_label=copy_label,
        notice=WARRANT_DISCLAIMER if is_warrant_related else None,
        status_line=status_line,
    )


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%m/%d/%Y %I:%M %p")


def render_transmitted(session: Session, activity: Activity) -> tuple[dict[str, Any], bytes, str]:
    """At transmission: the snapshot to keep, its PDF and the PDF's SHA-256."""
    from app.pdf.activity_form import render_activity

    facts = header_facts(session, activity)
    snapshot = {"header": facts, "content": dict(activity.content)}
    sent_at = activity.transmitted_at
    document = build_document(
        activity.type,
        facts,
        snapshot["content"],
        day=sent_at.astimezone().date(),
        copy_label=f"Copy as transmitted {_local(sent_at)}",
    )
    pdf = render_activity(document)
    return snapshot, pdf, hashlib.sha256(pdf).hexdigest()


def print_activity(
    session: Session, actor: Actor, activity_id: int, *, current: bool = False
) -> PrintedActivity:
    """The PDF a user prints: the transmitted copy, unless they ask for the current data."""
    from app.pdf.activity_form import render_activity
    from app.services.activities import get_activity

    activity = get_activity(session, actor, activity_id)
    copy = session.get(TransmittedCopy, activity.id)
    if copy is not None and copy.pdf and not current:
        label = f"as transmitted {_local(copy.transmitted_at)}"
        if activity.status is ActivityStatus.WITHDRAWN and activity.withdrawn_at:
            label += f" (withdrawn {_local(activity.withdrawn_at)})"
        return PrintedActivity(copy.pdf, label, as_sent=True)
    facts = header_facts(session, activity)
    if copy is not None:
        copy_label = (
            f"REGENERATED FROM CURRENT DATA {_local(datetime.now().astimezone())}: not the copy "
            f"transmitted {_local(copy.transmitted_at)}"
        )
        day = copy.transmitted_at.astimezone().date()
    else:
        copy_label = ""
        day = activity.updated_at.astimezone().date() if activity.updated_at else None
    status_line = {
        ActivityStatus.DRAFT: "Draft: not transmitted",
        ActivityStatus.PENDING_SUPERVISOR: "Awaiting supervisor approval: not transmitted",
        ActivityStatus.PENDING_COMPACT_OFFICE: "Awaiting compact office approval: not transmitted",
        ActivityStatus.WITHDRAWN: "Withdrawn",
        ActivityStatus.TRANSMITTED: "",
    }[activity.status]
    document = build_document(
        activity.type, facts, activity.content, day=day, copy_label=copy_label,
        status_line=status_line,
    )  # fmt: skip
    label = "regenerated from current data" if copy is not None else status_line.lower()
    return PrintedActivity(render_activity(document), label, as_sent=False)
