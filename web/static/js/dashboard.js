// The organizer's live dashboard (report.watch): the fair's numbers and one card per booth,
// redrawn from each report.dashboard event the server sends (one a second at most). A booth
// whose line is long while its recruiters are free, or whose first person has waited past
// 20 minutes, carries a flag that stands out.
import { el, FairSocket, page, t } from "./client.js";

export const socket = new FairSocket(page.fair);
const root = document.getElementById("dashboard");
const numbers = document.getElementById("dash-fair");
const booths = document.getElementById("dash-booths");
const error = document.getElementById("dash-error");
const scopeBooth = root.dataset.scopeBooth;

const FAIR = [
  ["online_now", t("Online now")],
  ["peak_online", t("Peak at once")],
  ["registered", t("Registered")],
  ["attended_on_site", t("Attended on site")],
  ["questions_pending", t("Questions waiting for approval")],
];
const BOOTH = [
  ["viewers", t("Watching now")],
  ["line", t("In line")],
  ["longest_wait_min", t("Longest wait (min)")],
  ["staff_free", t("Recruiters free")],
  ["staff_busy", t("Recruiters interviewing")],
  ["interviews_done", t("Interviews done")],
  ["passed", t("Passed")],
  ["questions_pending", t("Questions waiting for approval")],
];
const FLAGS = {
  idle_staff: t("Long line while recruiters are free"),
  long_wait: t("Someone has waited more than 20 minutes"),
};

const item = (key, label, value) =>
  el("div", {}, el("dt", {}, label), el("dd", { dataset: { key } }, String(value)));

function show(view) {
  numbers.replaceChildren(...(view.fair ? FAIR.map(([k, label]) => item(k, label, view.fair[k])) : []));
  numbers.hidden = !view.fair;
  booths.replaceChildren(...view.booths.map((b) =>
    el("li", { class: "card dash-booth", dataset: { booth: b.booth_id, flag: b.flag } },
      el("h3", {}, b.employer, " ",
        el("span", { class: `badge ${b.live ? "live" : "offline"}` }, b.live ? t("LIVE") : t("offline"))),
      b.flag ? el("p", { class: "dash-flag", role: "status" }, FLAGS[b.flag]) : null,
      el("dl", { class: "report-numbers" }, BOOTH.map(([k, label]) => item(k, label, b[k]))))));
}

async function watch() {
  error.textContent = "";
  try {
    show(await socket.send("report.watch", scopeBooth ? { booth_id: scopeBooth } : {}));
  } catch (err) {
    error.textContent = err.message;
  }
}

socket.addEventListener("state", watch);
socket.addEventListener("event", ({ detail: { name, data } }) => {
  if (name === "report.dashboard") show(data);
});
