"""An appointment as an iCalendar (RFC 5545) file that any calendar opens."""

from __future__ import annotations

from datetime import UTC, datetime

from activities.models import Activity


def escaped(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def folded(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])


def ics_of(activity: Activity, request) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Harbor CRM//Activities//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{request.get_host()}",
        f"DTSTAMP:{stamp(activity.modified_on)}",
        f"DTSTART:{stamp(activity.due_at)}",
        f"DTEND:{stamp(activity.ends_at)}",
        f"SUMMARY:{escaped(activity.subject)}",
    ]
    if activity.location:
        lines.append(f"LOCATION:{escaped(activity.location)}")
    if activity.body:
        lines.append(f"DESCRIPTION:{escaped(activity.body)}")
    # Only the people the downloader may see (timeline.add_people_and_files): the file
    # must not carry a hidden contact's name or address.
    for attendee in activity.shown_attendees:
        role = "REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT"
        address = attendee.email_address
        name = escaped(str(attendee)).replace('"', "'")
        lines.append(
            f'ATTENDEE;CN="{name}";ROLE={role}:mailto:{address}'
            if address
            else f'ATTENDEE;CN="{name}";ROLE={role}:invalid:nomail'
        )
    if activity.state == "cancelled":
        lines.append("STATUS:CANCELLED")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(folded(line) for line in lines) + "\r\n"
