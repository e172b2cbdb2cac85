// Live polls and quizzes of a channel (a booth or the main stage): attendees answer once and see
// the results as bars; the channel's hosts also open polls, close them and draw a quiz's winners.
// Which view a page gets is the server's answer (`host` in poll.list), never a guess from roles.
import { el, page, t, tn } from "./client.js";

let ops = 0;

/** One channel's latest polls, kept current from poll.* events. */
class PollChannel extends EventTarget {
  constructor(socket, channel) {
    super();
    this.socket = socket;
    this.channel = channel;
    this.polls = new Map();
    this.host = false;
    this.mayAnswer = false;
    socket.addEventListener("state", () => this.load());
    socket.addEventListener("event", (e) => this.onEvent(e.detail.name, e.detail.data));
    if (socket.state) this.load();
  }

  async load() {
    try {
      const list = await this.socket.send("poll.list", { channel: this.channel });
      this.host = list.host;
      this.mayAnswer = list.may_answer;
      this.polls = new Map(list.polls.map((p) => [p.id, p]));
      this.changed();
    } catch (err) {
      console.warn("poll.list failed", err);
    }
  }

  onEvent(name, data) {
    if (!name.startsWith("poll.") || data.channel !== this.channel) return;
    const known = this.polls.get(data.id);
    if (name === "poll.changed") {
      this.polls.set(data.id, { ...data, answer: known?.answer ?? null });
    } else if (name === "poll.results" && known) {
      for (const [option, n] of Object.entries(data.counts)) {
        known.counts[option] = Math.max(known.counts[option], n);
      }
      known.total = Math.max(known.total, data.total);
    }
    this.changed();
  }

  changed() { this.dispatchEvent(new Event("change")); }

  newest() { return [...this.polls.values()].sort((a, b) => b.created_at - a.created_at); }
}

function mount(root, model, socket) {
  const error = el("p", { class: "form-error", role: "alert" });
  const list = el("ul", { class: "poll-list" });
  const empty = el("p", { class: "muted" }, t("No polls yet."));
  const form = hostForm(model, socket, error);
  root.append(form, error, empty, list);

  async function send(type, data) {
    error.textContent = "";
    try {
      return await socket.send(type, data);
    } catch (err) {
      error.textContent = err.message;
      return null;
    }
  }

  function card(p) {
    const open = p.state === "open" && !(p.closes_at && p.closes_at * 1000 < Date.now());
    const canAnswer = open && model.mayAnswer && p.answer === null;
    const most = Math.max(1, ...p.counts);
    const options = p.options.map((text, i) => {
      const share = p.total ? Math.round((100 * p.counts[i]) / p.total) : 0;
      const label = el("span", { class: "poll-option-text" },
        p.correct === i ? `✓ ${text}` : text);
      const bar = el("span", { class: "poll-bar" });
      bar.style.width = `${(100 * p.counts[i]) / most}%`; // CSSOM: the page's CSP allows no inline style
      const figures = el("span", { class: "poll-figures" }, `${p.counts[i]} · ${share}%`);
      const body = [label, el("span", { class: "poll-track" }, bar), figures];
      const attrs = { class: "poll-option", dataset: { option: String(i) } };
      if (p.answer === i) attrs["aria-current"] = "true";
      if (p.correct === i) attrs.class += " correct";
      if (!canAnswer) return el("li", attrs, ...body);
      return el("li", attrs, el("button", {
        type: "button",
        class: "poll-answer",
        onclick: async () => {
          const answered = await send("poll.answer", { poll_id: p.id, option: i });
          if (answered) {
            p.answer = answered.option;
            model.changed();
          }
        },
      }, ...body));
    });
    const status = open
      ? (p.closes_at ? el("span", { class: "poll-countdown", dataset: { closes: String(p.closes_at) } }, left(p.closes_at)) : "")
      : t("closed");
    const host = model.host ? [
      open ? el("button", { type: "button", onclick: () => send("poll.close", { poll_id: p.id }) }, t("Close")) : null,
      p.kind === "quiz" && !p.seed ? el("button", {
        type: "button", onclick: () => send("poll.draw", { poll_id: p.id, winners: 1 }),
      }, t("Draw winners")) : null,
    ] : [];
    return el("li", { class: "poll", dataset: { poll: p.id, state: p.state } },
      el("p", { class: "poll-head" },
        el("span", { class: "badge" }, p.kind === "quiz" ? t("Quiz") : t("Poll")), " ",
        el("span", { class: "poll-text" }, p.text)),
      el("ol", { class: "poll-options" }, ...options),
      el("p", { class: "muted poll-meta" }, tn("{n} answer", "{n} answers", p.total), status ? " · " : "", status),
      p.winners ? el("p", { class: "poll-winners" }, p.winners.length
        ? `${t("Winners")}: ${p.winners.map((w) => w.name).join(", ")}`
        : t("No correct answers.")) : null,
      p.seed ? el("p", { class: "muted poll-seed" }, `${t("Draw seed")}: ${p.seed}`) : null,
      host.length ? el("div", { class: "row" }, ...host) : null);
  }

  function render() {
    const polls = model.newest();
    list.replaceChildren(...polls.map(card));
    empty.hidden = polls.length > 0;
    form.hidden = !model.host;
  }
  model.addEventListener("change", render);
  // the countdowns tick in place; a poll whose deadline just passed is drawn again (no answering)
  setInterval(() => {
    for (const span of list.querySelectorAll(".poll-countdown")) {
      const closes = Number(span.dataset.closes);
      if (closes * 1000 <= Date.now()) return render();
      span.textContent = left(closes);
    }
  }, 1000);
  render();
}

const left = (closes) => tn("{n} second left", "{n} seconds left", Math.max(0, Math.ceil(closes - Date.now() / 1000)));

function hostForm(model, socket, error) {
  const quiz = el("input", { type: "checkbox", name: "quiz" });
  const quizFields = el("div", { class: "stack", hidden: true },
    el("label", {}, t("Correct option (number)"), " ",
      el("input", { name: "correct", type: "number", min: 1, max: 8, value: 1 })),
    el("label", {}, t("Seconds to answer"), " ",
      el("input", { name: "seconds", type: "number", min: 5, max: 3600, value: 60 })));
  quiz.addEventListener("change", () => { quizFields.hidden = !quiz.checked; });
  const form = el("form", { class: "stack poll-form", hidden: true },
    el("label", {}, t("Question"), " ", el("input", { name: "text", maxlength: 300, required: true })),
    el("label", {}, t("Options (one per line)"), " ",
      el("textarea", { name: "options", rows: 3, required: true })),
    el("label", { class: "check" }, quiz, " ", t("Quiz: one option is correct")),
    quizFields,
    el("button", { type: "submit" }, t("Ask the audience")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = {
      channel: model.channel,
      text: data.text,
      options: data.options.split("\n").map((o) => o.trim()).filter(Boolean),
      op: `poll-${Date.now()}-${ops++}`,
    };
    if (quiz.checked) Object.assign(body, { correct: Number(data.correct) - 1, seconds: Number(data.seconds) });
    error.textContent = "";
    try {
      await socket.send("poll.create", body);
      form.reset();
      quizFields.hidden = true;
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return form;
}

const root = document.getElementById("polls");
if (root) {
  const { socket } = await import(`./${page.page}.js`);
  mount(root, new PollChannel(socket, root.dataset.channel), socket);
}
