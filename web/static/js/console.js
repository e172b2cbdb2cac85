// The recruiter's booth console: going live, booth details, logo and job postings.
import { api, FairSocket, onSubmit, page, t, tn } from "./client.js";
import { mountJobsEditor } from "./jobs-editor.js";
import { BoothPublisher, presentOnStage } from "./stream.js";

export const socket = new FairSocket(page.fair);
const boothPath = `/api/fairs/${page.fair}/booths/${page.booth}`;

onSubmit(document.getElementById("booth-form"), (data) => api("PATCH", boothPath, {
  description: data.description,
  slot_minutes: Number(data.slot_minutes),
  low_bandwidth: data.low_bandwidth === "on",
}));
onSubmit(document.getElementById("logo-form"), async () => {
  const file = document.querySelector("#logo-form input[type=file]").files[0];
  if (file) await api("PUT", `${boothPath}/logo`, file, "application/octet-stream");
});
mountJobsEditor(document.getElementById("jobs-editor"), socket, page.booth);

const stateLine = document.getElementById("stream-state");
const [goLive, share, stop] = ["go-live", "share-screen", "stop-live"].map((id) => document.getElementById(id));
/** While this recruiter interviews, the server pauses the booth's stream (viewers get nothing of
 * it) and resumes it when the interview ends: the console says so, and nothing is to be clicked. */
const pausedHere = () => Boolean(socket.state?.streams[page.booth]?.paused);
const showState = (kind, text) => {
  if (kind === "live" && pausedHere()) {
    [kind, text] = ["paused", t("Paused for your viewers while you interview; it resumes by itself when the interview ends.")];
  }
  stateLine.dataset.kind = kind;
  stateLine.textContent = text;
};
export const publisher = new BoothPublisher(socket, page.booth, document.getElementById("self-view"),
  (kind, text) => {
    showState(kind, text);
    const on = kind !== "offline" && kind !== "error";
    goLive.hidden = share.hidden = on;
    stop.hidden = !on;
  });
socket.addEventListener("event", ({ detail: { name, data } }) => {
  if ((name === "stream.paused" || name === "stream.resumed") && data.booth_id === page.booth
    && publisher.pc?.connectionState === "connected") showState("live", t("LIVE"));
});
goLive.addEventListener("click", () => publisher.start());
share.addEventListener("click", () => publisher.start({ screen: true }));
stop.addEventListener("click", () => publisher.stop());

/** How many watch, and what their links carry: the server gives each viewer the large layer,
 * the small one or audio only (docs/weak-links.md), so the recruiter knows who sees what. */
function showViewers() {
  const stream = socket.state?.streams[page.booth];
  document.getElementById("viewer-count").textContent = stream ? tn("{n} watching", "{n} watching", stream.viewers) : "";
  const levels = stream?.viewers ? stream.levels : null;
  const split = document.getElementById("viewer-levels");
  split.hidden = !levels;
  if (!levels) return;
  for (const level of ["high", "low", "audio"]) {
    split.querySelector(`[data-level=${level}] .n`).textContent = levels[level] || 0;
  }
}
socket.addEventListener("state", showViewers);
socket.addEventListener("event", showViewers);

// Invited by the main stage's host: present the company there (a hand-over, no gap for viewers)
// until the host takes the stage back.
const invitation = document.getElementById("stage-invitation");
const present = document.getElementById("stage-present");
const presenter = new BoothPublisher(socket, page.booth, document.getElementById("stage-self"),
  (kind, text) => {
    const line = document.getElementById("stage-state");
    line.dataset.kind = kind;
    line.textContent = text;
    present.hidden = kind !== "offline" && kind !== "error";
  }, presentOnStage(page.booth));
present.addEventListener("click", () => presenter.start());
function showInvitation() {
  invitation.hidden = socket.state?.stage_guest !== page.booth && !presenter.pc;
}
socket.addEventListener("state", showInvitation);
socket.addEventListener("event", ({ detail: { name, data } }) => {
  if (name === "stream.handed_over" && data.booth_id === "stage" && data.presenting !== page.booth
    && presenter.pc) presenter.yielded(t("The host took the stage back."));
  showInvitation();
});
