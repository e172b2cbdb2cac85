// A booth page for workers: the booth, its jobs, kept current over the websocket.
import { FairSocket, jobCard, page, t } from "./client.js";

export const socket = new FairSocket(page.fair);

function render(state) {
  const booth = state.booths.find((b) => b.id === page.booth);
  if (!booth) return;
  document.getElementById("booth-employer").textContent = booth.employer;
  document.getElementById("booth-description").textContent = booth.description;
  const badge = document.getElementById("live-badge");
  badge.textContent = booth.live ? t("LIVE") : t("offline");
  badge.className = `badge ${booth.live ? "live" : "offline"}`;
  const jobs = state.jobs.filter((j) => j.booth_id === page.booth);
  document.getElementById("jobs").replaceChildren(...jobs.map(jobCard));
}

socket.addEventListener("state", () => render(socket.state));
socket.addEventListener("event", () => render(socket.state));
