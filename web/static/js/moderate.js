// The moderator console, organized around the job in tabs (lines, Q&A, schedule, booths, the
// fair, reports) with one booth picker that every booth card follows: the picked booth's
// details, recruiter invitations and job postings; a new booth; the fair's settings.
import { picker } from "./booth-picker.js";
import { FairSocket, api, confirmed, el, onSubmit, page, t } from "./client.js";
import { mountJobsEditor } from "./jobs-editor.js";

export const socket = new FairSocket(page.fair);
const fairPath = `/api/fairs/${page.fair}`;
const onFairClock = (local) => `${local}:00`; // no offset: the server reads it on the fair's clock

onSubmit(document.getElementById("fair-form"), (data) =>
  api("PATCH", fairPath, { ...data, starts_at: onFairClock(data.starts_at), ends_at: onFairClock(data.ends_at) }));
onSubmit(document.getElementById("new-booth"), async (data) => {
  const booth = await api("POST", `${fairPath}/booths`, data);
  document.getElementById("new-booth").reset();
  picker.fill(socket.state.booths);
  picker.pick(booth.id);
});

/** Tabs: one panel at a time; the choice survives a reload (the URL's hash). */
const tabs = [...document.querySelectorAll('[role="tab"]')];
function openTab(tab) {
  for (const other of tabs) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
  }
  history.replaceState(null, "", `#${tab.id.slice(4)}`);
}
for (const tab of tabs) {
  tab.addEventListener("click", () => openTab(tab));
  tab.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    openTab(next);
    next.focus();
  });
}
openTab(document.getElementById(`tab-${location.hash.slice(1)}`) || tabs[0]);

const container = document.getElementById("mod-booths");
const mounted = new Map();

function inviteForm(boothId) {
  const output = el("p", { class: "invite-link" });
  const form = el("form", { class: "row invite" },
    el("input", { name: "name", required: true, maxlength: 120, placeholder: t("Recruiter name") }),
    el("button", { type: "submit" }, t("Invite recruiter")),
    el("p", { class: "form-error", role: "alert" }));
  onSubmit(form, async (data) => {
    const invite = await api("POST", `${fairPath}/booths/${boothId}/invites`, data);
    output.replaceChildren(t("Copy this sign-in link and send it to the recruiter:"), el("br"),
      el("input", { readonly: true, value: invite.link, class: "link", onfocus: (e) => e.target.select() }));
    form.reset();
  });
  return el("div", {}, form, output);
}

function render() {
  picker.fill(socket.state.booths);
  for (const booth of socket.state.booths) {
    let section = mounted.get(booth.id);
    if (!section) {
      const jobs = el("div", { class: "jobs-editor" });
      section = el("article", { class: "card booth", dataset: { booth: booth.id } },
        el("h3", { class: "employer" }),
        el("p", { class: "description" }),
        el("a", { href: `/fairs/${page.fair}/booths/${booth.id}/console` }, t("Console")),
        el("button", {
          type: "button", class: "danger stop-stream", hidden: true,
          onclick: () => {
            if (confirmed(`${t("Stop the stream")}: ${booth.employer}?`)) socket.send("stream.stop", { booth_id: booth.id });
          },
        }, t("Stop the stream")),
        inviteForm(booth.id),
        el("h4", {}, t("Jobs")), jobs);
      container.append(section);
      mounted.set(booth.id, section);
      mountJobsEditor(jobs, socket, booth.id);
    }
    section.querySelector(".employer").textContent = booth.employer;
    section.querySelector(".description").textContent = booth.description;
    section.querySelector(".stop-stream").hidden = !socket.state.streams[booth.id];
    section.hidden = booth.id !== picker.booth; // the picked booth's card only
  }
}

picker.addEventListener("change", () => { if (socket.state) render(); });

socket.addEventListener("state", render);
socket.addEventListener("event", (e) => {
  if (e.detail.name.startsWith("booth.") || e.detail.name.startsWith("stream.")) render();
});
