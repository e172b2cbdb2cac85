// The moderator console's outcomes: per booth, how many were interviewed, passed, found not
// suitable or did not show (interview.report), refreshed when a recruiter records an outcome; and
// each interview's record with the recruiter's notes (interview.get). Never the media or the chat.
import { el, formatWhen, page, t } from "./client.js";
import { minutesText, outcomeLabel } from "./outcome-labels.js";

const COLUMNS = [["interviewed", t("Interviewed")], ["passed", t("Passed")], ["not_suitable", t("Not suitable")], ["no_show", t("No-show")]];
const REFRESH_DELAY_MS = 500; // outcomes recorded together are read once

function mountOutcomes(root, socket) {
  let openBooth = "";
  let pending = null;
  const body = el("tbody");
  const totals = el("tfoot");
  const error = el("p", { class: "form-error", role: "alert" });
  const records = el("div", { class: "outcome-records" });
  const table = el("table", { class: "outcomes-table" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("Booth")),
      ...COLUMNS.map(([, label]) => el("th", { scope: "col" }, label)))),
    body, totals);
  const refresh = el("button", { type: "button", class: "outcomes-refresh", onclick: () => load() }, t("Refresh"));
  root.append(el("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("Outcomes") }, table), el("div", { class: "row" }, refresh), error, records);

  const employer = (id) => socket.state?.booths.find((b) => b.id === id)?.employer || id;
  const cells = (row) => COLUMNS.map(([key]) => el("td", { class: `num ${key}` }, String(row[key] || 0)));

  async function load() {
    error.textContent = "";
    try {
      const report = await socket.send("interview.report", openBooth ? { booth_id: openBooth } : {});
      show(report);
    } catch (err) {
      error.textContent = err.message;
    }
  }

  function show(report) {
    const sum = Object.fromEntries(COLUMNS.map(([key]) => [key, 0]));
    const rows = Object.entries(report.booths).sort(([a], [b]) => employer(a).localeCompare(employer(b)));
    body.replaceChildren(...rows.map(([boothId, row]) => {
      for (const [key] of COLUMNS) sum[key] += row[key];
      return el("tr", { dataset: { booth: boothId } },
        el("th", { scope: "row" }, el("button", { type: "button", class: "link-button outcome-booth",
          "aria-expanded": String(boothId === openBooth),
          onclick: () => { openBooth = boothId === openBooth ? "" : boothId; load(); } }, employer(boothId))),
        ...cells(row));
    }));
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: COLUMNS.length + 1, class: "muted" }, t("No interviews yet."))));
    totals.replaceChildren(el("tr", { class: "outcomes-total" }, el("th", { scope: "row" }, t("Total")), ...cells(sum)));
    records.replaceChildren();
    if (openBooth && report.interviews) {
      records.append(el("h3", {}, employer(openBooth)),
        el("ol", { class: "outcome-list" }, report.interviews.map(recordItem)));
    }
  }

  function recordItem(interview) {
    const details = el("div", { class: "outcome-record" });
    const when = formatWhen(interview.started_at);
    return el("li", { dataset: { interview: interview.id } },
      el("strong", {}, interview.name), ` · ${when} · `,
      interview.ended_at ? minutesText(interview.duration) : t("under way"), " · ",
      el("span", { class: "outcome-label" }, outcomeLabel(interview.outcome)), " ",
      el("button", { type: "button", class: "link-button outcome-read", onclick: async () => {
        try {
          details.replaceChildren(recordView(await socket.send("interview.get", { interview_id: interview.id })));
        } catch (err) {
          details.replaceChildren(el("p", { class: "form-error" }, err.message));
        }
      } }, t("Read the record")),
      details);
  }

  function recordView(record) {
    const time = (at) => (at ? formatWhen(at) : "–");
    const row = (label, value) => [el("dt", {}, label), el("dd", {}, value)];
    return el("dl", { class: "outcome-fields" },
      row(t("Started"), time(record.started_at)),
      row(t("Ended"), time(record.ended_at)),
      row(t("Outcome"), outcomeLabel(record.notes.outcome)),
      row(t("Notes"), el("span", { class: "outcome-notes" }, record.notes.notes || "–")),
      row(t("Recorded"), time(record.notes.at)));
  }

  socket.addEventListener("state", load);
  socket.addEventListener("event", ({ detail: { name } }) => {
    if (name !== "interview.recorded") return;
    clearTimeout(pending);
    pending = setTimeout(load, REFRESH_DELAY_MS);
  });
  if (socket.state) load();
}

const root = document.getElementById("outcomes");
if (root && page.role === "moderator") {
  const { socket } = await import(`./${page.page}.js`);
  mountOutcomes(root, socket);
}
