// The moderator console: the fair, its booths, recruiter invitations and job postings.
import { FairSocket, api, el, onSubmit, page, t } from "./client.js";
import { mountJobsEditor } from "./jobs-editor.js";

export const socket = new FairSocket(page.fair);
const fairPath = `/api/fairs/${page.fair}`;
const onFairClock = (local) => `${local}:00`; // no offset: the server reads it on the fair's clock

onSubmit(document.getElementById("fair-form"), (data) =>
  api("PATCH", fairPath, { ...data, starts_at: onFairClock(data.starts_at), ends_at: onFairClock(data.ends_at) }));
onSubmit(document.getElementById("new-booth"), async (data) => {
  await api("POST", `${fairPath}/booths`, data);
  document.getElementById("new-booth").reset();
});

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
          onclick: () => socket.send("stream.stop", { booth_id: booth.id }),
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
  }
}

socket.addEventListener("state", render);
socket.addEventListener("event", (e) => {
  if (e.detail.name.startsWith("booth.") || e.detail.name.startsWith("stream.")) render();
});
