"""The Redis key schema, in one place (documented for operators in docs/state.md).

Every key of a fair carries the hash tag `{f:ID}`: a script that touches a booth's line and the
worker's other lines of the same fair stays in one Redis Cluster slot.
"""

PREFIX = "jf"

# Global keys (not fair-scoped).
FAIRS = f"{PREFIX}:fairs"  # zset: fair id -> created_at
STAFF = f"{PREFIX}:staff"  # hash: participant id -> Participant JSON (service-wide moderators)


def node_lease(node_id: str) -> str:
    """string with a TTL: present while the node `node_id` is alive (renewed every few seconds)."""
    return f"{PREFIX}:node:{node_id}"


def node_rpc(node_id: str) -> str:
    """pub/sub channel: requests to one node (signalling for the booth media it holds)."""
    return f"{PREFIX}:node:{node_id}:rpc"


def fair_tag(fair_id: str) -> str:
    return f"{PREFIX}:{{f:{fair_id}}}"


def fair(fair_id: str) -> str:
    """string: Fair JSON."""
    return f"{fair_tag(fair_id)}:fair"


def booths(fair_id: str) -> str:
    """hash: booth id -> Booth JSON."""
    return f"{fair_tag(fair_id)}:booths"


def jobs(fair_id: str) -> str:
    """hash: job id -> Job JSON (the job names its booth)."""
    return f"{fair_tag(fair_id)}:jobs"


def people(fair_id: str) -> str:
    """hash: participant id -> Participant JSON (workers, recruiters, fair moderators)."""
    return f"{fair_tag(fair_id)}:people"


def rev(fair_id: str) -> str:
    """counter: bumped by every change to the fair's lobby, so a client can tell it missed one."""
    return f"{fair_tag(fair_id)}:rev"


def events(fair_id: str) -> str:
    """pub/sub channel: every event of the fair, for every node to push to its clients."""
    return f"{fair_tag(fair_id)}:events"


def streams(fair_id: str) -> str:
    """hash: booth id (or `stage`) -> StreamState JSON of each stream that is live (absent:
    offline)."""
    return f"{fair_tag(fair_id)}:streams"


def stage(fair_id: str) -> str:
    """hash: the main stage's `guest`: the booth whose recruiter may present on it next."""
    return f"{fair_tag(fair_id)}:stage"


# --- Q&A (rooms/qa.py, docs/qa.md); a channel is a booth id or "stage" ------------------------


def qa_question(fair_id: str, question_id: str) -> str:
    """hash: one question (channel, text, author, status, votes, pinned, answer, seq, ...)."""
    return f"{fair_tag(fair_id)}:qa:q:{question_id}"


def qa_voters(fair_id: str, question_id: str) -> str:
    """set: ids of the participants who voted for a question (SADD 0 = a repeated vote)."""
    return f"{fair_tag(fair_id)}:qa:voters:{question_id}"


def qa_top(fair_id: str, channel: str) -> str:
    """zset: the channel's approved questions, score = pinned, votes, then age (rooms/qa.py)."""
    return f"{fair_tag(fair_id)}:qa:c:{channel}:top"


def qa_new(fair_id: str, channel: str) -> str:
    """zset: the channel's approved questions by sequence number (newest last)."""
    return f"{fair_tag(fair_id)}:qa:c:{channel}:new"


def qa_held(fair_id: str, channel: str) -> str:
    """zset: the channel's pending and hidden questions by sequence number (staff only)."""
    return f"{fair_tag(fair_id)}:qa:c:{channel}:held"


def qa_settings(fair_id: str, channel: str) -> str:
    """hash: premoderation ("1"/"0"), answering (question id), seq (question counter)."""
    return f"{fair_tag(fair_id)}:qa:c:{channel}:settings"


def qa_by_author(fair_id: str, user_id: str) -> str:
    """set: ids of the questions a participant asked in the fair (their own held questions)."""
    return f"{fair_tag(fair_id)}:qa:by:{user_id}"


def qa_restricted(fair_id: str) -> str:
    """hash: participant id -> "muted" | "removed" (may not ask or vote; still watches, queues)."""
    return f"{fair_tag(fair_id)}:qa:restricted"


def qa_rate(fair_id: str, user_id: str) -> str:
    """counter with a TTL: questions a participant asked in the current rate window."""
    return f"{fair_tag(fair_id)}:qa:rate:{user_id}"


def qa_op(fair_id: str, user_id: str, op: str) -> str:
    """string with a TTL: the question id an ask with this client `op` created (retry = no-op)."""
    return f"{fair_tag(fair_id)}:qa:op:{user_id}:{op}"


def qa_log(fair_id: str) -> str:
    """stream, capped (XADD MAXLEN ~): every moderation and answering action of the fair."""
    return f"{fair_tag(fair_id)}:qa:log"


# --- live polls and quizzes (rooms/polls.py); a channel is a booth id or "stage" --------------


def poll(fair_id: str, poll_id: str) -> str:
    """hash: one poll (channel, kind, text, options JSON, correct, state, closes_at, seed, ...)."""
    return f"{fair_tag(fair_id)}:poll:{poll_id}"


def poll_answers(fair_id: str, poll_id: str) -> str:
    """hash: participant id -> the option index they chose (HSETNX: one answer per person)."""
    return f"{fair_tag(fair_id)}:poll:{poll_id}:answers"


def poll_counts(fair_id: str, poll_id: str) -> str:
    """hash: option index -> answers counted for it."""
    return f"{fair_tag(fair_id)}:poll:{poll_id}:counts"


def polls_of(fair_id: str, channel: str) -> str:
    """zset: poll id -> created at (Redis time) of a channel's polls, newest last."""
    return f"{fair_tag(fair_id)}:polls:c:{channel}"


def poll_rate(fair_id: str, user_id: str) -> str:
    """counter with a TTL: poll answers a participant sent in the current rate window."""
    return f"{fair_tag(fair_id)}:polls:rate:{user_id}"


def poll_op(fair_id: str, user_id: str, op: str) -> str:
    """string with a TTL: the poll id a create with this client `op` made (retry = no-op)."""
    return f"{fair_tag(fair_id)}:polls:op:{user_id}:{op}"


def push_subscriptions(fair_id: str, worker_id: str) -> str:
    """hash, expiring: push endpoint -> JSON {subscription, lang} of the worker's browsers that
    asked for Web Push (server/web_push.py); a gone endpoint is removed when the service says so."""
    return f"{fair_tag(fair_id)}:push:{worker_id}"


# --- interview queues (rooms/queue.py; the entry state machine is in docs/queue.md) -----------


def queue_entries(fair_id: str) -> str:
    """hash: entry id -> entry JSON (every line of the fair; ended entries are purged later)."""
    return f"{fair_tag(fair_id)}:q:entries"


def queue_index(fair_id: str) -> str:
    """hash: worker id -> JSON {booth id: entry id} of their entries that have not ended."""
    return f"{fair_tag(fair_id)}:q:index"


def queue_busy(fair_id: str) -> str:
    """hash: worker or staff id -> id of the entry they are being called for or interviewed on."""
    return f"{fair_tag(fair_id)}:q:busy"


def queue_deadlines(fair_id: str) -> str:
    """zset: `call:<entry>`, `talk:<entry>`, `gc:<entry>` -> when the sweeper acts (Redis time)."""
    return f"{fair_tag(fair_id)}:q:deadlines"


def queue_seen(fair_id: str) -> str:
    """zset: worker id -> until when a node vouches they are connected (a lease, Redis time)."""
    return f"{fair_tag(fair_id)}:q:seen"


def queue_settings(fair_id: str) -> str:
    """hash: the fair's queue settings (lines per worker, call and grace seconds) and `v`, the
    queue version every transition bumps."""
    return f"{fair_tag(fair_id)}:q:settings"


def queue_audit(fair_id: str) -> str:
    """stream (capped): one record per queue action: who, what, when."""
    return f"{fair_tag(fair_id)}:q:audit"


def queue_op(fair_id: str, user_id: str, op: str) -> str:
    """string (expiring): the first result of a client operation, so a retry has no new effect."""
    return f"{fair_tag(fair_id)}:q:op:{user_id}:{op}"


def interviews(fair_id: str) -> str:
    """hash: interview id -> Interview JSON (created when a call is accepted)."""
    return f"{fair_tag(fair_id)}:interviews"


def queue_line(fair_id: str, booth_id: str) -> str:
    """zset: entry id -> order score of the booth's line (waiting and held entries)."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:line"


def queue_line_state(fair_id: str, booth_id: str) -> str:
    """hash: the line's `state` (open|paused|closed), `cap` and `seq` (the last join score)."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:state"


def queue_active(fair_id: str, booth_id: str) -> str:
    """zset: entry id -> called-at of the booth's calls being answered or interviews under way."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:active"


def queue_recent(fair_id: str, booth_id: str) -> str:
    """list: ids of the booth's latest ended calls (accepted, declined, no-show), newest first."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:recent"


def queue_durations(fair_id: str, booth_id: str) -> str:
    """list: seconds of the booth's latest finished interviews, newest first (for the ETA)."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:durations"


def queue_servers(fair_id: str, booth_id: str) -> str:
    """zset: staff id -> when they last called at this booth (who serves the line: the ETA)."""
    return f"{fair_tag(fair_id)}:q:b:{booth_id}:servers"


# --- dossiers (rooms/dossiers.py) ------------------------------------------------------------


def dossiers(fair_id: str) -> str:
    """hash: worker id -> Dossier JSON (structured fields; the CV file itself is on disk)."""
    return f"{fair_tag(fair_id)}:dossiers"


def dossier_shares(fair_id: str, worker_id: str) -> str:
    """set: ids of the booths whose recruiters may read this worker's dossier and CV (the worker
    said yes: when joining the line, booking a time, or on the dossier page)."""
    return f"{fair_tag(fair_id)}:dossier:{worker_id}:shares"


def dossier_declined(fair_id: str, worker_id: str) -> str:
    """set: ids of the booths the worker said no to (or withdrew from): never in `shares`; the
    page does not ask again."""
    return f"{fair_tag(fair_id)}:dossier:{worker_id}:declined"


# --- interview rooms (rooms/interview_room.py) -----------------------------------------------


def interview_chat(fair_id: str, interview_id: str) -> str:
    """list (capped): the interview's chat messages, JSON, oldest first."""
    return f"{fair_tag(fair_id)}:iv:{interview_id}:chat"


def interview_notes(fair_id: str) -> str:
    """hash: interview id -> JSON {outcome, notes, by, at, extra_seconds} kept by its recruiter."""
    return f"{fair_tag(fair_id)}:iv:notes"


def interview_op(fair_id: str, interview_id: str, kind: str, user_id: str, op: str) -> str:
    """string (expiring): the first result of a chat message or an extension (`kind` say or
    extend), so that a retry has no new effect."""
    return f"{fair_tag(fair_id)}:iv:{interview_id}:op:{kind}:{user_id}:{op}"


def interview_media(fair_id: str) -> str:
    """hash: interview id -> id of the node that holds the interview's media."""
    return f"{fair_tag(fair_id)}:iv:media"


# --- booked interview slots (rooms/slots.py, docs/queue.md "Booked slots") -----------------------


def slots(fair_id: str) -> str:
    """hash: slot id -> Slot JSON (booth, starts_at, ends_at, minutes, capacity, placed_at)."""
    return f"{fair_tag(fair_id)}:slots"


def booth_slots(fair_id: str, booth_id: str) -> str:
    """zset: slot id -> starts_at of one booth's slots (listing, and refusing overlaps)."""
    return f"{fair_tag(fair_id)}:slots:b:{booth_id}"


def slot_bookings(fair_id: str, slot_id: str) -> str:
    """hash: worker id -> booking JSON {worker_id, name, contact, booked_at}; HLEN: taken."""
    return f"{fair_tag(fair_id)}:slots:s:{slot_id}:bookings"


def worker_slots(fair_id: str, worker_id: str) -> str:
    """zset: slot id -> starts_at of a worker's bookings (refusing overlapping bookings)."""
    return f"{fair_tag(fair_id)}:slots:w:{worker_id}"


def slots_due(fair_id: str) -> str:
    """zset: `start:<slot>` (booked workers to the head of the line), `remind:<slot>` -> when."""
    return f"{fair_tag(fair_id)}:slots:due"


def slot_op(fair_id: str, user_id: str, op: str) -> str:
    """string (expiring): the first result of a client's slot operation (a retry has no effect)."""
    return f"{fair_tag(fair_id)}:slots:op:{user_id}:{op}"


# --- reports (rooms/reports/, docs/reports.md) ----------------------------------------------


def facts(fair_id: str) -> str:
    """stream, never trimmed: what happened in the fair, one entry per fact (`k` names its kind),
    appended by the very script that made the change. Reports are built from it alone."""
    return f"{fair_tag(fair_id)}:facts"


def open_periods(fair_id: str, node_id: str) -> str:
    """set: ids of the connection and watching periods the node `node_id` has open in the fair
    (closed by that node, or at its lease's end by whichever node notices it died)."""
    return f"{fair_tag(fair_id)}:periods:{node_id}"


def period_leases(fair_id: str) -> str:
    """zset: node id -> until when (Redis time) it vouches for its open periods in the fair."""
    return f"{fair_tag(fair_id)}:periods:leases"
