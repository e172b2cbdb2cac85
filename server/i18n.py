"""UI text through gettext: English in the source, translations in web/locale/<lang>/messages.po.

Catalogs are compiled in memory at start-up (no .mo files to build or commit).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

import web

LANGUAGES = ("vi", "en")
LANG_COOKIE = "jf_lang"


def load_catalogs() -> dict[str, NullTranslations]:
    catalogs: dict[str, NullTranslations] = {"en": NullTranslations()}
    for po_path in sorted((web.ROOT / "locale").glob("*/LC_MESSAGES/messages.po")):
        lang = po_path.parent.parent.name
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogs[lang] = Translations(fp=buffer)
    return catalogs


def choose_language(request: Request, default: str) -> str:
    """`?lang=` wins, then the cookie a previous choice set, then the fair's language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else LANGUAGES[0]


def gettext_for(catalogs: dict[str, NullTranslations], lang: str) -> Callable[[str], str]:
    return catalogs.get(lang, catalogs["en"]).gettext


# Strings the page scripts show, translated server-side and handed to them as JSON.
JS_MESSAGES = (
    "connecting…",
    "connected",
    "reconnecting…",
    "LIVE",
    "offline",
    "No booths yet.",
    "openings",
    "VND / month",
    "Open booth",
    "Domestic",
    "Japan",
    "Korea",
    "Taiwan",
    "Saved.",
    "Error",
    "Copy this sign-in link and send it to the recruiter:",
    "Delete",
    "Edit",
    "Save",
    "Jobs",
    "No jobs posted yet.",
    "Requirements",
    "Title",
    "Openings",
    "Salary from (VND / month)",
    "Salary to (VND / month)",
    "Location",
    "Market",
    "Invite recruiter",
    "Recruiter name",
    "Console",
    "This browser cannot play live video (no WebRTC).",
    "The camera needs a secure page: open this site over HTTPS (or on localhost).",
    "This browser gives no access to a camera.",
    "The booth is offline.",
    "audio only",
    "Camera or microphone access was refused.",
    "watching",
    "Stop the stream",
    "CV uploaded",
    "No CV uploaded yet.",
    # Q&A (web/static/js/qa.js, qa-staff.js)
    "A moderator muted you in the Q&A. You can still watch.",
    "A moderator removed you from the Q&A. You can still watch.",
    "Anonymous",
    "Answer",
    "Answered",
    "Answering now",
    "Approve",
    "Ask",
    "Ask a question",
    "Ask anonymously",
    "Channel",
    "Hidden",
    "Hidden by a moderator",
    "Hide",
    "Main stage",
    "Mark answered",
    "Merge",
    "Merge into…",
    "Moderation log",
    "Mute",
    "New",
    "No questions yet.",
    "Pin",
    "Pinned",
    "Pre-moderation",
    "Questions",
    "Questions appear after a moderator approves them.",
    "Remove from Q&A",
    "Reopen",
    "Send answer",
    "Stop answering",
    "Top",
    "Unmute",
    "Unpin",
    "Vote",
    "Waiting for approval",
    "Your question",
    "asked anonymously",
    "characters left",
    "edited",
    # interview queues (queue-worker.js, queue-staff.js)
    "Accept for them",
    "Accept",
    "Add a walk-in",
    "Add to the line",
    "Any job at this booth",
    "Audit log",
    "Booth",
    "Call next",
    "Call",
    "Calling you now!",
    "Calls and interviews",
    "Calls are paused for now.",
    "Decline",
    "Estimated wait",
    "Finish interview",
    "For which job (optional)",
    "For",
    "It is your turn!",
    "Join the interview line",
    "Latest outcomes",
    "Leave the line",
    "Most people in line",
    "Move down",
    "Move up",
    "Name",
    "No-show",
    "On hold while you are in another interview; you keep your place.",
    "Phone",
    "Place",
    "Queue settings of the fair",
    "Remove",
    "Set cap",
    "Show audit log",
    "Time left to answer",
    "Wait here for a one-on-one interview. Lines you may stand in at once:",
    "Waiting",
    "You are next.",
    "Your other lines",
    "cap",
    "in another interview",
    "in line of",
    "is calling you to an interview.",
    "min",
    "no cap",
    "serving",
    "typical interview",
    "waiting",
    "walk-in",
    "Pause",
    "Resume",
    "Close line",
    "Lines per worker",
    "Seconds to answer a call",
    "Seconds a dropped worker keeps their place",
    "declined",
    "no-show",
    "interview finished",
    "called",
    "interviewing",
    "open",
    "paused",
    "closed",
    "You left the line.",
    "A moderator removed you from the line.",
    "You were away too long and lost your place.",
    "You declined the call.",
    "The call was not answered in time.",
    "The interview is over.",
    "Switch to audio only",
    "The video is not getting through on this connection. Audio only keeps the sound clear.",
    # interview room (interview.js, history.js, outcomes.js, outcome-labels.js)
    "Your camera is not available.",
    "The other side's camera is off.",
    "The interview has ended.",
    "A walk-in interview: no video. Take notes here.",
    "You",
    "Full name",
    "Phone or e-mail",
    "Birth year",
    "Home province",
    "Education",
    "Skills",
    "Desired job",
    "Languages",
    "Willing to work abroad in",
    "Other",
    "Download CV",
    "A walk-in has no dossier.",
    "This worker has not shared their dossier with your booth.",
    "This worker has not filled in a dossier yet.",
    "The dossier could not be loaded.",
    "Passed the qualifying round",
    "Invited to an on-site interview",
    "Offer",
    "Not suitable",
    "No outcome yet",
    "Under way: return to the room",
    "No interviews yet.",
    "Interview under way: open the room",
    "Open interview room",
    "Interviewed",
    "Passed",
    "Refresh",
    "Total",
    "under way",
    "Read the record",
    "Started",
    "Ended",
    "Outcome",
    "Notes",
    "Recorded",
    # booked interview times (slots.js, slots-staff.js)
    "Choose a time: when it comes, you go to the front of this booth's line.",
    "Booked",
    "places left",
    "Fully booked",
    "Cancel booking",
    "Book",
    "No interview times offered yet.",
    "Your interview times",
    "The booth cancelled your interview time",
    "Your interview time begins soon",
    "Starts",
    "Minutes each",
    "Places each",
    "How many, back to back",
    "Publish times",
    "booked",
    "begun",
    # dossier consent (consent.js, dossier.js)
    "Let {company} read your profile and CV?",
    "They can read them until you withdraw your consent on your dossier page.",
    "My dossier",
    "Your answer does not change your place in line or your booking.",
    "Yes, share them",
    "No, do not share",
    "Cancel",
    "These companies can read your profile and CV",
    "No company can read your profile and CV.",
    "you said no",
    "Remove this time",
)
