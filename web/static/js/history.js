// A worker's own interviews at this fair: the employer, when, how long, and the outcome.
import { FairSocket, el, formatWhen, page, t } from "./client.js";
import { minutesText, outcomeLabel } from "./outcome-labels.js";

export const socket = new FairSocket(page.fair);
const list = document.getElementById("history");

function item(interview) {
  const booth = socket.state?.booths.find((b) => b.id === interview.booth_id);
  const when = formatWhen(interview.started_at);
  const room = `/fairs/${page.fair}/interviews/${interview.id}`;
  return el("li", { class: "iv-history-item", dataset: { interview: interview.id, outcome: interview.outcome || "" } },
    el("strong", { class: "iv-employer" }, booth?.employer || ""),
    el("span", { class: "muted" }, ` · ${when} · `),
    interview.ended_at
      ? el("span", {}, minutesText(interview.duration))
      : el("a", { href: room }, t("Under way: return to the room")),
    el("p", { class: "iv-outcome" }, outcomeLabel(interview.outcome)));
}

async function load() {
  try {
    const { interviews } = await socket.send("interview.history");
    list.replaceChildren(...(interviews.length
      ? [...interviews].reverse().map(item)
      : [el("li", { class: "muted" }, t("No interviews yet."))]));
  } catch (err) {
    document.getElementById("history-error").textContent = err.message;
  }
}

socket.addEventListener("state", load);
