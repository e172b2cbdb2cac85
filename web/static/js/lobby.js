// The fair lobby: every booth with its jobs and live badge, kept current over the websocket.
import { FairSocket, el, jobCard, page, t } from "./client.js";

export const socket = new FairSocket(page.fair);
const container = document.getElementById("booths");

function render(state) {
  container.replaceChildren();
  if (!state.booths.length) {
    container.append(el("p", { class: "muted" }, t("No booths yet.")));
    return;
  }
  for (const booth of state.booths) {
    const live = Boolean(state.streams[booth.id]);
    const jobs = state.jobs.filter((j) => j.booth_id === booth.id);
    container.append(
      el("article", { class: "booth card", dataset: { booth: booth.id } },
        el("header", { class: "booth-title" },
          booth.logo ? el("img", { class: "logo", src: `/media/logos/${booth.logo}`, alt: "" }) : null,
          el("h3", {}, booth.employer),
          el("span", { class: `badge ${live ? "live" : "offline"}` }, live ? t("LIVE") : t("offline"))),
        el("p", {}, booth.description),
        jobs.map(jobCard),
        el("a", { class: "button", href: `/fairs/${page.fair}/booths/${booth.id}` }, t("Open booth"))));
  }
}

socket.addEventListener("state", () => render(socket.state));
socket.addEventListener("event", () => render(socket.state));
