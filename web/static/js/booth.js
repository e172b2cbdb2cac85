// A booth page for workers: the booth's live stream, its jobs, kept current over the websocket.
import { el, FairSocket, jobCard, page, t, tn } from "./client.js";
import { mountLevelNotice } from "./link-level.js";
import { BoothViewer } from "./stream.js";

export const socket = new FairSocket(page.fair);
const stateLine = document.getElementById("stream-state");
const unmute = document.getElementById("unmute");

const audioOnly = document.getElementById("audio-only");

export const viewer = new BoothViewer(socket, page.booth, document.getElementById("booth-video"),
  (kind, text) => {
    stateLine.dataset.kind = kind;
    stateLine.textContent = text;
    unmute.hidden = kind !== "muted";
  });
viewer.onLevel = mountLevelNotice(document.querySelector("#stage .video-wrap"), () => viewer.tryVideoAgain(),
  t("Your connection is too weak even for the sound. The interview line, questions and polls below still work."));
audioOnly.checked = viewer.audioOnly; // remembered for the fair
unmute.addEventListener("click", () => viewer.unmute());
audioOnly.addEventListener("change", (e) => viewer.setAudioOnly(e.target.checked));

function render(state) {
  const booth = state.booths.find((b) => b.id === page.booth);
  if (!booth) return;
  document.getElementById("booth-employer").textContent = booth.employer;
  document.getElementById("booth-description").textContent = booth.description;
  const stream = state.streams[page.booth];
  const badge = document.getElementById("live-badge");
  badge.textContent = stream ? (stream.paused ? t("interviewing") : t("LIVE")) : t("offline");
  badge.className = `badge ${stream ? (stream.paused ? "paused" : "live") : "offline"}`;
  document.getElementById("viewer-count").textContent = stream ? tn("{n} watching", "{n} watching", stream.viewers) : "";
  const jobs = state.jobs.filter((j) => j.booth_id === page.booth);
  document.getElementById("jobs").replaceChildren(...(jobs.length ? jobs.map(jobCard)
    : [el("p", { class: "muted no-jobs" }, t("This booth has not posted any jobs yet."))]));
}

socket.addEventListener("state", () => render(socket.state));
socket.addEventListener("event", () => render(socket.state));
