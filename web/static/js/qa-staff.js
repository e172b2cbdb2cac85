// The Q&A staff view (recruiter console, moderator console): the pending queue to approve, the
// ranked questions to answer ("answering now", a written answer, mark answered) and, for
// moderators, hide, edit, pin, merge, mute and pre-moderation. Text is only ever set as text.
import { picker } from "./booth-picker.js";
import { el, formatTime, page, t } from "./client.js";
import { QAChannel, fillBody, questionBody, renderKeyed } from "./qa.js";

const moderator = page.role === "moderator";

function mountStaff(root, model, socket) {
  const error = el("p", { class: "form-error", role: "alert" });
  const act = async (type, data) => {
    error.textContent = "";
    try {
      return await socket.send(type, data);
    } catch (err) {
      error.textContent = err.message;
      return null;
    }
  };

  const channelSelect = el("select", { class: "qa-channel", "aria-label": t("Channel"),
    onchange: (e) => model.setChannel(e.target.value) });
  const premod = el("input", { type: "checkbox", class: "qa-premod",
    onchange: (e) => act("qa.premoderation", { channel: model.channel, on: e.target.checked }) });
  const head = el("div", { class: "row qa-staff-head" },
    moderator ? channelSelect : null,
    moderator ? el("label", { class: "check" }, premod, " ", t("Pre-moderation")) : null);
  const lists = {
    pending: el("ol", { class: "qa-list qa-pending-list" }),
    approved: el("ol", { class: "qa-list qa-approved-list" }),
    hidden: el("ol", { class: "qa-list qa-hidden-list" }),
  };
  const counts = { pending: el("span"), approved: el("span"), hidden: el("span") };
  const log = el("ol", { class: "qa-log" });
  root.append(head, error,
    el("h3", {}, t("Waiting for approval"), " ", counts.pending), lists.pending,
    el("h3", {}, t("Questions"), " ", counts.approved), lists.approved,
    el("details", { class: "qa-hidden-box" },
      el("summary", {}, t("Hidden"), " ", counts.hidden), lists.hidden));
  if (moderator) {
    root.append(el("details", { class: "qa-log-box", ontoggle: (e) => { if (e.target.open) showLog(); } },
      el("summary", {}, t("Moderation log")), log));
  }

  async function showLog() {
    const result = await act("qa.log", { count: 100 });
    if (!result) return;
    log.replaceChildren(...result.entries.map((e) => el("li", {},
      `${formatTime(Number(e.at))} · ${e.actor_name} · ${e.action}`,
      e.detail ? ` · ${e.detail}` : "")));
  }

  function button(label, cls, onclick) {
    return el("button", { type: "button", class: cls, onclick }, label);
  }

  function textForm(cls, label, submitLabel, onsubmit) {
    const area = el("textarea", { name: "text", rows: 2, maxlength: cls === "qa-edit" ? 500 : 2000 });
    const form = el("form", { class: "stack" }, area, el("button", { type: "submit" }, submitLabel));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (await onsubmit(area.value)) details.open = false;
    });
    const details = el("details", { class: cls }, el("summary", {}, label), form);
    return details;
  }

  const cards = new Map();
  const build = (q) => {
    const id = q.id;
    const merge = el("select", { class: "qa-merge-into", "aria-label": t("Merge into…") });
    const controls = el("div", { class: "row qa-controls" },
      button(t("Approve"), "qa-approve", () => act("qa.approve", { question_id: id })),
      button(t("Answering now"), "qa-answering", () => act("qa.answering", {
        channel: model.channel, question_id: model.settings.answering === id ? null : id })),
      button(t("Mark answered"), "qa-mark", () => act("qa.mark_answered",
        { question_id: id, answered: !model.questions.get(id).answered })),
      button(t("Pin"), "qa-pin", () => act("qa.pin", { question_id: id, pinned: !model.questions.get(id).pinned })),
      button(t("Hide"), "qa-hide danger", () => act("qa.hide", { question_id: id })),
      button(t("Mute"), "qa-mute", () => act("qa.mute", { user_id: model.questions.get(id).author_id })),
      button(t("Unmute"), "qa-unmute", () => act("qa.unmute", { user_id: model.questions.get(id).author_id })),
      button(t("Remove from Q&A"), "qa-remove danger", () =>
        act("qa.remove_participant", { user_id: model.questions.get(id).author_id })));
    const answer = textForm("qa-answer-form", t("Answer"), t("Send answer"),
      (text) => act("qa.answer", { question_id: id, text }));
    const edit = textForm("qa-edit", t("Edit"), t("Save"),
      (text) => act("qa.edit", { question_id: id, text }));
    edit.addEventListener("toggle", () => {
      if (edit.open) edit.querySelector("textarea").value = model.questions.get(id).text;
    });
    const mergeBox = el("details", { class: "qa-merge" }, el("summary", {}, t("Merge into…")),
      el("div", { class: "row" }, merge, button(t("Merge"), "qa-merge-go", () => merge.value &&
        act("qa.merge", { from: id, into: merge.value }))));
    mergeBox.addEventListener("toggle", () => {
      if (!mergeBox.open) return;
      merge.replaceChildren(...model.sorted("top", null).filter((o) => o.id !== id)
        .map((o) => el("option", { value: o.id }, `${o.text.slice(0, 80)} (${o.votes})`)));
    });
    return el("li", { class: "qa-item staff", dataset: { q: id } },
      el("span", { class: "qa-votes-static" }), questionBody(q), controls, answer,
      moderator ? edit : null, moderator ? mergeBox : null);
  };
  const update = (node, q) => {
    fillBody(node, q, model.settings.answering);
    node.querySelector(".qa-votes-static").textContent = `▲ ${q.votes}`;
    const approved = q.status === "approved";
    const show = (cls, on) => { node.querySelector(cls).hidden = !on; };
    show(".qa-approve", moderator && !approved);
    show(".qa-answering", approved);
    node.querySelector(".qa-answering").textContent =
      model.settings.answering === q.id ? t("Stop answering") : t("Answering now");
    show(".qa-mark", approved);
    node.querySelector(".qa-mark").textContent = q.answered ? t("Reopen") : t("Mark answered");
    show(".qa-pin", moderator && approved);
    node.querySelector(".qa-pin").textContent = q.pinned ? t("Unpin") : t("Pin");
    show(".qa-hide", moderator && q.status !== "hidden");
    for (const cls of [".qa-mute", ".qa-unmute", ".qa-remove"]) show(cls, moderator);
    show(".qa-answer-form", approved);
  };

  function render() {
    premod.checked = model.settings.premoderation;
    for (const status of ["pending", "approved", "hidden"]) {
      const items = model.sorted(status === "approved" ? "top" : "new", status);
      const statusCards = cards.get(status) || new Map();
      cards.set(status, statusCards);
      renderKeyed(lists[status], items, statusCards, build, update);
      counts[status].textContent = `(${items.length})`;
    }
  }

  /** The main stage or the booth the console's picker holds (not a second booth picker). */
  function renderChannels() {
    const booth = socket.state?.booths.find((b) => b.id === picker.booth);
    const options = [el("option", { value: "stage" }, t("Main stage")),
      booth ? el("option", { value: booth.id }, booth.employer) : null].filter(Boolean);
    channelSelect.replaceChildren(...options);
    if (model.channel !== "stage" && model.channel !== picker.booth) model.setChannel(booth ? booth.id : "stage");
    channelSelect.value = model.channel;
  }
  if (moderator) {
    socket.addEventListener("state", renderChannels);
    socket.addEventListener("event", (e) => { if (e.detail.name.startsWith("booth.")) renderChannels(); });
    picker.addEventListener("change", renderChannels);
    renderChannels();
  }
  model.addEventListener("change", render);
  render();
}

const root = document.getElementById("qa");
if (root?.dataset.view === "staff") {
  const { socket } = await import(`./${page.page}.js`);
  mountStaff(root, new QAChannel(socket, root.dataset.channel), socket);
}
