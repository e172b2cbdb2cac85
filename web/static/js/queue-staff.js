// The staff side of the interview queues. Recruiter console: the booth's line with short profiles,
// "call next" or call one person, the calls under way (countdown, no-show, accept for a walk-in,
// finish the interview) and the latest outcomes. Moderator console: the same for any booth, plus
// pause / resume / close, a cap, reordering, removal, walk-ins, the fair's queue settings and the
// audit log. The view is pushed by the server (queue.line) after every change.
import { picker } from "./booth-picker.js";
import { confirmed, el, formatTime, onSubmit, page, t, tn } from "./client.js";
import { change } from "./queue-ops.js";

const moderator = page.role === "moderator";
const OUTCOME = { declined: t("declined"), no_show: t("no-show"), done: t("interview finished"),
  called: t("called"), interviewing: t("interviewing") };
const STATE = { open: t("open"), paused: t("paused"), closed: t("closed") };
const DOING = { free: t("free"), calling: t("calling"), interviewing: t("interviewing") };

const roomOf = (entry) => `/fairs/${page.fair}/interviews/${entry.interview_id}`;

/** The booth console opens the interview room in its panel, beside the console: the booth's
 * stream, its line and its Q&A stay on this page (the stream pauses by itself meanwhile). Other
 * pages go to the room. */
const panel = document.getElementById("interview-panel");
const panelFrame = document.getElementById("interview-frame");
function openRoom(entry) {
  if (!panel) return location.assign(roomOf(entry));
  if (panel.dataset.interview !== entry.interview_id) {
    panel.dataset.interview = entry.interview_id;
    panelFrame.src = roomOf(entry);
  }
  panel.hidden = false;
  panel.scrollIntoView({ block: "start" });
}
function closeRoom() {
  if (!panel) return;
  panel.hidden = true;
  panel.dataset.interview = "";
  panelFrame.src = "about:blank";
}
document.getElementById("interview-panel-close")?.addEventListener("click", closeRoom);
window.addEventListener("message", ({ origin, data }) => {
  if (origin === location.origin && data?.type === "interview.closed") closeRoom();
});
const clock = formatTime;

function mountLine(root, socket) {
  let booth = root.dataset.booth || picker.booth;
  const choose = !root.dataset.booth && picker.present; // follows the console's booth picker
  let view = null;
  let skew = 0; // server clock minus ours, in seconds
  const error = el("p", { class: "form-error", role: "alert" });
  const act = async (type, data) => {
    error.textContent = "";
    try {
      return await change(socket, type, data);
    } catch (err) {
      error.textContent = err.message;
      return null;
    }
  };

  const summary = el("p", { class: "queue-summary" });
  const myCalls = new Set(); // entries this page called, still unanswered
  const calling = async (type, data) => {
    const called = await act(type, data);
    if (called) myCalls.add(called.id);
  };
  const callNext = el("button", { type: "button", class: "queue-call-next",
    onclick: () => calling("queue.call_next", { booth_id: booth }) }, t("Call next"));
  const team = el("ul", { class: "queue-team" });
  const active = el("ul", { class: "queue-active" });
  const line = el("ol", { class: "queue-line" });
  const recent = el("ul", { class: "queue-recent" });
  if (choose) picker.addEventListener("change", () => { booth = picker.booth; view = null; load(); });

  const parts = [
    summary,
    el("div", { class: "row" }, callNext, moderator ? moderation() : null),
    error,
    el("h3", {}, t("Team at the booth")), team,
    el("h3", {}, t("Calls and interviews")), active,
    el("h3", {}, t("Waiting")), line,
    el("h3", {}, t("Latest outcomes")), recent,
    moderator ? walkInForm() : null,
    moderator ? settingsForm() : null,
    moderator ? auditView() : null,
  ];
  root.append(...parts.filter(Boolean));

  function moderation() {
    const cap = el("input", { type: "number", min: 1, max: 100000, class: "queue-cap-input",
      placeholder: t("no cap"), "aria-label": t("Most people in line") });
    return el("span", { class: "row queue-mod" },
      ...["pause", "resume", "close"].map((change) => el("button", { type: "button",
        class: `queue-${change}`, onclick: () => {
          if (change !== "close" || confirmed(t("Close this line? Nobody can join it any more."))) {
            act(`queue.${change}`, { booth_id: booth });
          }
        } },
        { pause: t("Pause"), resume: t("Resume"), close: t("Close line") }[change])),
      cap,
      el("button", { type: "button", class: "queue-set-cap", onclick: () =>
        act("queue.cap", { booth_id: booth, cap: cap.value ? Number(cap.value) : null }) }, t("Set cap")));
  }

  function walkInForm() {
    const form = el("form", { class: "stack queue-walk-in" },
      el("h3", {}, t("Add a walk-in")),
      el("label", {}, t("Name"), el("input", { name: "name", required: true, maxlength: 120 })),
      el("label", {}, t("Phone"), el("input", { name: "phone", required: true, type: "tel", maxlength: 30 })),
      el("button", { type: "submit" }, t("Add to the line")),
      el("p", { class: "form-error", role: "alert" }));
    onSubmit(form, async (data) => {
      await change(socket, "queue.walk_in", { booth_id: booth, ...data });
      form.reset();
    });
    return form;
  }

  function settingsForm() {
    const field = (name, label, max) => el("label", {}, label,
      el("input", { name, type: "number", min: 1, max, required: true }));
    const form = el("form", { class: "row queue-settings" },
      field("lines_per_worker", t("Lines per worker"), 20),
      field("call_seconds", t("Seconds to answer a call"), 600),
      field("grace_seconds", t("Seconds a dropped worker keeps their place"), 3600),
      el("button", { type: "submit" }, t("Save")),
      el("p", { class: "form-error", role: "alert" }));
    onSubmit(form, async (data) => {
      const numbers = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Number(v)]));
      await change(socket, "queue.configure", numbers);
    });
    socket.addEventListener("state", async () => {
      const settings = await socket.send("queue.settings").catch(() => null);
      if (!settings) return;
      for (const [name, value] of Object.entries(settings)) {
        const input = form.elements.namedItem(name);
        if (input) input.value = value;
      }
    });
    return el("div", {}, el("h3", {}, t("Queue settings of the fair")), form);
  }

  function auditView() {
    const list = el("ol", { class: "queue-audit" });
    const show = el("button", { type: "button", class: "queue-show-audit", onclick: async () => {
      const result = await socket.send("queue.audit", { booth_id: booth }).catch((err) => {
        error.textContent = err.message;
        return null;
      });
      if (!result) return;
      list.replaceChildren(...result.records.map((r) => el("li", {},
        `${clock(r.at)} · ${r.actor_name || r.role} · ${r.action}`,
        r.worker_name ? ` · ${r.worker_name}` : "",
        r.detail ? ` · ${r.detail}` : "")));
    } }, t("Show audit log"));
    return el("div", {}, el("h3", {}, t("Audit log")), show, list);
  }

  function person(e) {
    return [el("strong", { class: "queue-name" }, e.name),
      e.walk_in ? el("span", { class: "badge" }, t("walk-in")) : null,
      e.slot_id ? el("span", { class: "badge queue-booked" }, t("booked time")) : null,
      " · ", el("span", { class: "queue-contact" }, e.contact),
      e.job_id ? ` · ${socket.state?.jobs.find((j) => j.id === e.job_id)?.title || ""}` : "",
      e.walk_in ? null : dossierLink(e)];
  }

  /** The worker's dossier, when they chose to share it with this booth; else "not shared". */
  function dossierLink(e) {
    if (!e.shared) return el("span", { class: "muted queue-dossier" }, ` · ${t("dossier not shared")}`);
    return [" · ", el("a", { class: "queue-dossier", href: `/api/fairs/${page.fair}/dossiers/${e.worker_id}`,
      target: "_blank", rel: "noopener" }, t("Dossier"))];
  }

  /** A worker just accepted the call this person made: go into the interview room. (A call
   * already accepted when the page loaded only gets the link: coming back from the room must not
   * bounce one into it again.) */
  function openAcceptedCall(next) {
    for (const e of next.active) if (e.state === "called" && e.called_by === page.user) myCalls.add(e.id);
    const accepted = next.active.find((e) => e.state === "interviewing" && myCalls.has(e.id) && !e.walk_in);
    if (accepted) {
      myCalls.clear();
      openRoom(accepted);
    }
    const open = panel?.dataset.interview;
    if (open && !next.active.some((e) => e.interview_id === open)) closeRoom(); // it ended
  }

  function render() {
    if (!view) return;
    const [lo, hi] = view.eta.typical.map((s) => Math.max(1, Math.round(s / 60)));
    const paused = view.state === "paused";
    summary.replaceChildren(
      el("span", { class: `badge queue-state-${view.state}` }, STATE[view.state]), " ",
      `${tn("{n} waiting", "{n} waiting", view.size)} · ${t("typical interview")} ${lo === hi ? lo : `${lo}–${hi}`} ${t("min")}`,
      ` · ${tn("{n} interviewing now", "{n} interviewing now", view.active.filter((e) => e.state === "interviewing").length)}`,
      view.cap ? ` · ${t("cap")} ${view.cap}` : "");
    // "call next" is for a free staff member: a busy one leaves it to a free teammate
    const me = view.team.find((m) => m.id === page.user);
    callNext.disabled = paused || !view.size || (me && me.state !== "free");
    team.replaceChildren(...view.team.map((m) => el("li", { dataset: { member: m.id, state: m.state } },
      el("strong", {}, m.name || t("Moderator")), m.id === page.user ? ` (${t("you")})` : "",
      m.presenting ? el("span", { class: "badge queue-presenting" }, t("presenting")) : null,
      " · ", el("span", { class: `queue-doing queue-doing-${m.state}` }, DOING[m.state]),
      m.with ? ` · ${m.with}` : "")));
    for (const [change, allowed] of [["pause", view.state === "open"], ["resume", view.state !== "open"],
      ["close", view.state !== "closed"]]) {
      const button = root.querySelector(`.queue-${change}`);
      if (button) button.disabled = !allowed;
    }
    const now = Date.now() / 1000 + skew;
    active.replaceChildren(...view.active.map((e) => el("li", { dataset: { entry: e.id, state: e.state } },
      ...person(e), " · ", OUTCOME[e.state],
      e.state === "called" ? ` (${Math.max(0, Math.round(e.deadline - now))} s)` : "",
      e.state === "called" && e.walk_in ? el("button", { type: "button", class: "queue-accept-for",
        onclick: () => act("queue.accept", { entry_id: e.id }) }, t("Accept for them")) : null,
      e.state === "called" ? el("button", { type: "button", class: "danger queue-no-show",
        onclick: () => act("queue.no_show", { entry_id: e.id }) }, t("No-show")) : null,
      e.state === "interviewing" && e.called_by === page.user ? el("a", { class: "button queue-room",
        href: roomOf(e), onclick: (ev) => { if (panel) { ev.preventDefault(); openRoom(e); } } },
      t("Open interview room")) : null,
      e.state === "interviewing" ? el("button", { type: "button", class: "queue-finish",
        onclick: () => act("queue.finish", { interview_id: e.interview_id }) }, t("Finish interview")) : null)));
    line.replaceChildren(...view.line.map((e) => el("li", { dataset: { entry: e.id, state: e.state } },
      `${e.position}. `, ...person(e),
      e.state === "held" ? el("span", { class: "badge" }, t("in another interview")) : null,
      el("button", { type: "button", class: "queue-call", disabled: e.state !== "waiting" || paused,
        onclick: () => calling("queue.call", { entry_id: e.id }) }, t("Call")),
      moderator ? [
        el("button", { type: "button", class: "queue-up", "aria-label": t("Move up"),
          onclick: () => act("queue.reorder", { entry_id: e.id, position: Math.max(1, e.position - 1) }) }, "↑"),
        el("button", { type: "button", class: "queue-down", "aria-label": t("Move down"),
          onclick: () => act("queue.reorder", { entry_id: e.id, position: e.position + 1 }) }, "↓"),
        el("button", { type: "button", class: "danger queue-remove", onclick: () => {
          if (confirmed(`${t("Remove from the line")}: ${e.name}?`)) act("queue.remove", { entry_id: e.id });
        } }, t("Remove"))] : null)));
    if (view.size > view.line.length) line.append(el("li", { class: "muted" }, `… ${view.size - view.line.length}`));
    recent.replaceChildren(...view.recent.map((e) => el("li", {},
      `${clock(e.ended_at)} · `, el("strong", {}, e.name), ` · ${OUTCOME[e.state]}`)));
  }

  function show(data) {
    if (data.booth_id !== booth) return;
    openAcceptedCall(data);
    view = data;
    skew = data.now - Date.now() / 1000;
    render();
  }

  async function load() {
    if (!booth) return;
    try {
      show(await socket.send("queue.view", { booth_id: booth }));
    } catch (err) {
      error.textContent = err.message;
    }
  }

  socket.addEventListener("state", load);
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "queue.line") show(data);
    // who presents, and who is on the team, change outside the line: read the view again
    else if ((name.startsWith("stream.") && name !== "stream.viewers" && data?.booth_id === booth)
      || name === "recruiter.invited") load();
  });
  setInterval(() => { if (view?.active.some((e) => e.state === "called")) render(); }, 1000);
  if (socket.state) load();
}

const root = document.getElementById("queue");
if (root && (page.role === "recruiter" || page.role === "moderator")) {
  const { socket } = await import(`./${page.page}.js`);
  mountLine(root, socket);
}
