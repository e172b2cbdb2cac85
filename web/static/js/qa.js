// Live Q&A of a booth stream or of the main stage, for attendees: ask (optionally anonymously),
// vote, sort by top or new, see answers and "answering now" live. Also the channel model and the
// keyed list renderer that the staff view (qa-staff.js) builds on. Text is only ever set as text.
import { el, page, t, tn } from "./client.js";

const byTop = (a, b) => (b.pinned - a.pinned) || (b.votes - a.votes) || (a.seq - b.seq);
const byNew = (a, b) => b.seq - a.seq;

/** One channel's questions as this viewer may see them, kept current from qa.* events. */
export class QAChannel extends EventTarget {
  constructor(socket, channel) {
    super();
    this.socket = socket;
    this.channel = channel;
    this.questions = new Map();
    this.settings = { premoderation: false, answering: "" };
    this.restricted = "";
    this.loads = 0;
    this.buffer = null; // events that arrive while a list loads, replayed on top of it
    socket.addEventListener("state", () => this.load());
    socket.addEventListener("event", (e) => this.onEvent(e.detail.name, e.detail.data));
    if (socket.state) this.load();
  }

  setChannel(channel) {
    this.channel = channel;
    this.questions = new Map();
    this.changed();
    this.load();
  }

  /** (Re)read the channel: on start, after a reconnect, and when the server says "resync". */
  async load() {
    const token = ++this.loads;
    this.buffer = [];
    let list;
    try {
      list = await this.socket.send("qa.list", { channel: this.channel });
    } catch (err) {
      if (token === this.loads) this.buffer = null;
      console.warn("qa.list failed", err);
      return;
    }
    if (token !== this.loads) return;
    this.questions = new Map(list.questions.map((q) => [q.id, q]));
    this.settings = { premoderation: list.premoderation, answering: list.answering };
    this.restricted = list.restricted;
    const replay = this.buffer;
    this.buffer = null;
    for (const [name, data] of replay) this.apply(name, data);
    this.changed();
  }

  onEvent(name, data) {
    if (!name.startsWith("qa.")) return;
    if (name !== "qa.restricted" && data.channel !== this.channel) return;
    if (this.buffer) this.buffer.push([name, data]);
    else {
      this.apply(name, data);
      this.changed();
    }
  }

  apply(name, data) {
    if (name === "qa.question") {
      const old = this.questions.get(data.id);
      this.questions.set(data.id, { ...data, voted: old ? old.voted : false });
    } else if (name === "qa.removed") {
      this.questions.delete(data.id);
    } else if (name === "qa.scores") {
      for (const [id, votes] of Object.entries(data.scores)) {
        const q = this.questions.get(id);
        if (q) q.votes = votes;
      }
    } else if (name === "qa.settings") {
      this.settings = { premoderation: data.premoderation, answering: data.answering };
    } else if (name === "qa.restricted" && data.user_id === this.socket.you?.id) {
      this.restricted = data.state;
    }
  }

  changed() {
    this.dispatchEvent(new Event("change"));
  }

  sorted(sort = "top", status = "approved") {
    const list = [...this.questions.values()].filter((q) => !status || q.status === status);
    return list.sort(sort === "new" ? byNew : byTop);
  }

  async vote(q) {
    const result = await this.socket.send(q.voted ? "qa.unvote" : "qa.vote", { question_id: q.id });
    const current = this.questions.get(q.id);
    if (current) Object.assign(current, { votes: result.votes, voted: result.voted });
    this.changed();
  }
}

/** Keep `container`'s children in the order of `items`, one node per id, updated in place (so a
 * half-typed answer in a card survives a re-sort). */
export function renderKeyed(container, items, cards, build, update) {
  const keep = new Set(items.map((q) => q.id));
  for (const [id, node] of cards) {
    if (!keep.has(id)) {
      node.remove();
      cards.delete(id);
    }
  }
  items.forEach((q, i) => {
    let node = cards.get(q.id);
    if (!node) {
      node = build(q);
      cards.set(q.id, node);
    }
    update(node, q);
    if (container.children[i] !== node) container.insertBefore(node, container.children[i] || null);
  });
}

/** The lines every view shows of a question: text, who asked, badges and the answer. */
export function questionBody(q) {
  return el("div", { class: "qa-body" },
    el("p", { class: "qa-badges" }),
    el("p", { class: "qa-text" }),
    el("p", { class: "qa-meta muted" }),
    el("p", { class: "qa-answer" }));
}

export function fillBody(node, q, answering) {
  const badges = [];
  if (q.id === answering) badges.push(el("span", { class: "badge qa-now-badge" }, t("Answering now")));
  if (q.pinned) badges.push(el("span", { class: "badge" }, t("Pinned")));
  if (q.answered) badges.push(el("span", { class: "badge qa-answered" }, t("Answered")));
  if (q.status === "pending") badges.push(el("span", { class: "badge qa-pending" }, t("Waiting for approval")));
  if (q.status === "hidden") badges.push(el("span", { class: "badge qa-hidden" }, t("Hidden by a moderator")));
  node.querySelector(".qa-badges").replaceChildren(...badges);
  node.querySelector(".qa-text").textContent = q.text;
  const who = q.author ?? t("Anonymous");
  const meta = [q.mine ? t("Your question") : who];
  if (q.anonymous && q.author !== null) meta.push(`(${t("asked anonymously")})`);
  if (q.edited) meta.push(`· ${t("edited")}`);
  node.querySelector(".qa-meta").textContent = meta.join(" ");
  const answer = node.querySelector(".qa-answer");
  answer.textContent = q.answer ? `${q.answered_by || t("Answer")}: ${q.answer}` : "";
  answer.hidden = !q.answer;
  node.classList.toggle("answering", q.id === answering);
  node.classList.toggle("answered", q.answered);
  node.dataset.status = q.status;
}

function newOp() {
  return `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** The attendee panel: ask form, sort buttons, the ranked list with vote buttons. */
export function mountAttendee(root, model) {
  const canAsk = page.role === "worker";
  let sort = "top";
  let op = null; // kept across a failed send, so a retried ask is recognised as the same one
  const text = el("textarea", { name: "text", maxlength: 500, rows: 2, required: true,
    placeholder: t("Ask a question"), "aria-label": t("Ask a question") });
  const anonymous = el("input", { type: "checkbox", name: "anonymous" });
  const left = el("span", { class: "muted qa-left" });
  const error = el("p", { class: "form-error", role: "alert" });
  const form = el("form", { class: "qa-ask stack", hidden: !canAsk },
    text,
    el("div", { class: "row" },
      el("label", { class: "check" }, anonymous, " ", t("Ask anonymously")), left,
      el("button", { type: "submit" }, t("Ask"))),
    error);
  const note = el("p", { class: "qa-note muted" });
  const sortButtons = ["top", "new"].map((s) =>
    el("button", { type: "button", class: "qa-sort-button", dataset: { sort: s },
      onclick: () => { sort = s; render(); } }, s === "top" ? t("Top") : t("New")));
  const now = el("p", { class: "qa-now", hidden: true });
  const list = el("ol", { class: "qa-list", "aria-live": "polite" });
  const empty = el("p", { class: "muted qa-empty" }, t("No questions yet."));
  root.append(form, note, now, el("div", { class: "row qa-sort" }, ...sortButtons), list, empty);

  const showLeft = () => { left.textContent = tn("{n} character left", "{n} characters left", 500 - text.value.length); };
  text.addEventListener("input", () => { op = null; showLeft(); });
  showLeft();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    op = op || newOp();
    try {
      await model.socket.send("qa.ask",
        { channel: model.channel, text: text.value, anonymous: anonymous.checked, op });
      form.reset();
      op = null;
      showLeft();
    } catch (err) {
      error.textContent = err.message;
    }
  });

  const cards = new Map();
  const build = (q) => {
    const vote = el("button", { type: "button", class: "qa-vote", onclick: async () => {
      error.textContent = "";
      try { await model.vote(model.questions.get(q.id)); } catch (err) { error.textContent = err.message; }
    } }, el("span", { class: "qa-arrow", "aria-hidden": "true" }, "▲"), el("span", { class: "qa-votes" }));
    return el("li", { class: "qa-item", dataset: { q: q.id } }, vote, questionBody(q));
  };
  const update = (node, q) => {
    fillBody(node, q, model.settings.answering);
    const vote = node.querySelector(".qa-vote");
    node.querySelector(".qa-votes").textContent = String(q.votes);
    vote.setAttribute("aria-pressed", String(Boolean(q.voted)));
    vote.setAttribute("aria-label", `${t("Vote")} (${q.votes})`);
    vote.disabled = !canAsk || q.mine || q.status !== "approved" || Boolean(model.restricted);
  };

  function render() {
    for (const b of sortButtons) b.setAttribute("aria-pressed", String(b.dataset.sort === sort));
    const shown = model.sorted(sort, null);
    renderKeyed(list, shown, cards, build, update);
    empty.hidden = shown.length > 0;
    const answering = model.questions.get(model.settings.answering);
    now.hidden = !answering;
    now.textContent = answering ? `${t("Answering now")}: ${answering.text}` : "";
    if (model.restricted) {
      note.textContent = model.restricted === "muted"
        ? t("A moderator muted you in the Q&A. You can still watch.")
        : t("A moderator removed you from the Q&A. You can still watch.");
    } else {
      note.textContent = model.settings.premoderation && canAsk
        ? t("Questions appear after a moderator approves them.") : "";
    }
    form.hidden = !canAsk || Boolean(model.restricted);
  }
  model.addEventListener("change", render);
  render();
}

const root = document.getElementById("qa");
if (root?.dataset.view === "attendee") {
  const { socket } = await import(`./${page.page}.js`);
  mountAttendee(root, new QAChannel(socket, root.dataset.channel));
}
