// The fair lobby: live booths first, then the shortest lines; search and filters (sector, where,
// location, salary) over every posting. Built for a fair of 140 booths and 1,000 postings: one
// render per animation frame however many events arrive, and at most a few jobs per booth until
// a filter narrows them; the first screenful of cards is painted before the rest is built, and
// search keys are folded once per booth or posting. Sets the `lobby-list-painted` performance
// mark on the first paint, `lobby-list-complete` once every card is in.
import { FairSocket, el, jobCard, page, t } from "./client.js";

export const socket = new FairSocket(page.fair);
const container = document.getElementById("booths");
const count = document.getElementById("lobby-count");
const form = document.getElementById("lobby-filters");
const JOBS_SHOWN = 3; // per booth while no filter is set
const LINES_EVERY = 20_000; // ms between re-reads of the line lengths (the order's second key)

const FIRST_CARDS = 8; // a screenful, painted first; the rest follows in the next task

let lines = {}; // booth id -> people in its line
let scheduled = false;
let painted = false;
let generation = 0; // a newer render abandons the rest of an older one

const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").toLowerCase();
const keys = new WeakMap(); // booth or job object -> its folded search text (objects are replaced on change)
function searchKey(item, text) {
  let key = keys.get(item);
  if (key === undefined) {
    key = fold(text(item));
    keys.set(item, key);
  }
  return key;
}
const boothText = (b) => `${b.employer} ${b.sector} ${b.description}`;
const jobText = (j) => `${j.title} ${j.location} ${j.requirements}`;

function filters() {
  const data = Object.fromEntries(new FormData(form));
  return { q: fold(data.q.trim()), sector: data.sector, where: data.where, location: data.location,
    salary: Number(data.salary || 0) };
}

function jobMatches(job, f) {
  if (f.where === "domestic" && job.abroad) return false;
  if (f.where === "abroad" && !job.abroad) return false;
  if (f.where && f.where !== "domestic" && f.where !== "abroad" && job.abroad !== f.where) return false;
  if (f.location && job.location !== f.location) return false;
  // the floor is in VND: a posting paid in another currency is not judged by it (no rates here)
  if (f.salary && (job.currency || "VND") === "VND" && job.salary_max_vnd < f.salary) return false;
  return true;
}

/** Fill a <select> with the values found in the fair, keeping the first ("all") option. */
function options(select, values) {
  const chosen = select.value;
  const all = select.options[0];
  select.replaceChildren(all, ...[...values].sort((a, b) => a.localeCompare(b, "vi"))
    .map((v) => el("option", { value: v }, v)));
  select.value = values.has(chosen) ? chosen : "";
}

function boothCard(booth, jobs, narrowed, total) {
  const live = Boolean(socket.state.streams[booth.id]);
  const waiting = lines[booth.id] || 0;
  const shown = narrowed ? jobs : jobs.slice(0, JOBS_SHOWN);
  const href = `/fairs/${page.fair}/booths/${booth.id}`;
  return el("article", { class: "booth card", dataset: { booth: booth.id, live: live ? "yes" : "no" } },
    el("header", { class: "booth-title" },
      booth.logo ? el("img", { class: "logo", src: `/media/logos/${booth.logo}`, alt: "", loading: "lazy" }) : null,
      el("h3", {}, booth.employer),
      el("span", { class: `badge ${live ? "live" : "offline"}` }, live ? t("LIVE") : t("offline"))),
    el("p", { class: "booth-facts muted" },
      booth.sector ? el("span", { class: "sector" }, booth.sector) : null,
      booth.sector ? " · " : null,
      el("span", { class: "line-size" }, waiting ? `${waiting} ${t("in line")}` : t("No line")),
      " · ", `${total} ${t("jobs")}`),
    booth.description ? el("p", { class: "booth-description" }, booth.description) : null,
    total ? shown.map(jobCard) : el("p", { class: "muted no-jobs" }, t("This booth has not posted any jobs yet.")),
    shown.length < jobs.length
      ? el("p", {}, el("a", { href }, `${t("More jobs at this booth")}: ${jobs.length - shown.length}`))
      : null,
    el("a", { class: "button", href }, t("Open booth")));
}

function render() {
  scheduled = false;
  const state = socket.state;
  if (!state) return;
  const sectors = new Set(state.booths.map((b) => b.sector).filter(Boolean));
  const places = new Set(state.jobs.map((j) => j.location));
  options(form.elements.sector, sectors);
  options(form.elements.location, places);
  const f = filters();
  const narrowed = Boolean(f.q || f.where || f.location || f.salary);
  const jobsOf = new Map(state.booths.map((b) => [b.id, []]));
  for (const job of state.jobs) jobsOf.get(job.booth_id)?.push(job);

  const cards = [];
  let jobCount = 0;
  for (const booth of state.booths) {
    if (f.sector && booth.sector !== f.sector) continue;
    const all = jobsOf.get(booth.id);
    const boothHit = f.q && searchKey(booth, boothText).includes(f.q);
    let jobs = all.filter((j) => jobMatches(j, f));
    if (f.q) {
      const byText = jobs.filter((j) => searchKey(j, jobText).includes(f.q));
      if (byText.length || !boothHit) jobs = byText; // a booth found by name shows its jobs
    }
    const jobFilter = f.where || f.location || f.salary;
    if (narrowed && !jobs.length && !(boothHit && !jobFilter)) continue;
    jobCount += narrowed ? jobs.length : all.length;
    cards.push({ booth, jobs: narrowed ? jobs : all, total: all.length });
  }
  // live first, then the shortest lines, then the fair's own order
  const rank = (c) => (socket.state.streams[c.booth.id] ? 0 : 1);
  cards.sort((a, b) => rank(a) - rank(b) || (lines[a.booth.id] || 0) - (lines[b.booth.id] || 0));

  count.textContent = t("{jobs} jobs at {booths} booths")
    .replace("{jobs}", String(jobCount)).replace("{booths}", String(cards.length));
  const card = (c) => boothCard(c.booth, c.jobs, narrowed, c.total);
  container.replaceChildren(...(cards.length
    ? cards.slice(0, FIRST_CARDS).map(card)
    : [el("p", { class: "muted" }, state.booths.length ? t("No job matches these filters.") : t("No booths yet."))]));
  const mine = ++generation;
  requestAnimationFrame(() => setTimeout(() => {
    if (!painted) {
      painted = true;
      performance.mark("lobby-list-painted");
    }
    if (mine !== generation) return;
    if (cards.length > FIRST_CARDS) container.append(...cards.slice(FIRST_CARDS).map(card));
    if (!performance.getEntriesByName("lobby-list-complete").length) performance.mark("lobby-list-complete");
  }, 0));
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(render);
  }
}

async function readLines() {
  try {
    lines = (await socket.send("queue.sizes")).sizes;
    schedule();
  } catch (err) {
    console.info("queue.sizes", err.message);
  }
}

form.addEventListener("input", schedule);
form.addEventListener("submit", (e) => e.preventDefault());
socket.addEventListener("state", () => { performance.mark("lobby-state"); render(); readLines(); });
socket.addEventListener("event", schedule);
setInterval(() => { if (!document.hidden) readLines(); }, LINES_EVERY);
