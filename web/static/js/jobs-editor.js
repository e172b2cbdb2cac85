// Create, edit and delete a booth's job postings (recruiter console and moderator console).
import { abroadLabel, api, confirmed, el, jobCard, locale, onSubmit, page, t } from "./client.js";

const CURRENCIES = ["VND", "JPY", "KRW", "TWD", "CNY"]; // rooms/models.py Currency
const currencyNames = new Intl.DisplayNames(locale, { type: "currency" });
const currencyName = (code) => currencyNames.of(code) ?? code;

function jobForm(values, submitLabel, handler) {
  const v = values || {};
  const form = el("form", { class: "stack job-form" },
    el("label", {}, t("Title"), el("input", { name: "title", required: true, maxlength: 120, value: v.title || "" })),
    el("label", {}, t("Openings"), el("input", { name: "openings", type: "number", min: 1, required: true, value: v.openings || 1 })),
    el("label", {}, t("Monthly pay from"), el("input", { name: "salary_min_vnd", type: "number", min: 0, step: 100000, required: true, value: v.salary_min_vnd ?? "" })),
    el("label", {}, t("Monthly pay up to"), el("input", { name: "salary_max_vnd", type: "number", min: 0, step: 100000, required: true, value: v.salary_max_vnd ?? "" })),
    el("label", {}, t("Currency"),
      el("select", { name: "currency" }, CURRENCIES.map((code) =>
        el("option", { value: code, selected: (v.currency || "VND") === code }, currencyName(code))))),
    el("label", {}, t("Location"), el("input", { name: "location", required: true, maxlength: 120, value: v.location || "" })),
    el("label", {}, t("Market"),
      el("select", { name: "abroad" }, Object.entries(abroadLabel).map(([code, label]) =>
        el("option", { value: code, selected: (v.abroad || "") === code }, label)))),
    el("label", {}, t("Requirements"), el("textarea", { name: "requirements", maxlength: 2000 }, v.requirements || "")),
    el("button", { type: "submit" }, submitLabel),
    el("p", { class: "form-error", role: "alert" }));
  onSubmit(form, (data) => handler({
    ...data,
    openings: Number(data.openings),
    salary_min_vnd: Number(data.salary_min_vnd),
    salary_max_vnd: Number(data.salary_max_vnd),
  }));
  return form;
}

/** Render the editor for `boothId` into `container`, re-rendered from the socket's state. */
export function mountJobsEditor(container, socket, boothId) {
  function render() {
    const jobs = socket.state.jobs.filter((j) => j.booth_id === boothId);
    container.replaceChildren(
      ...jobs.map((job) => el("div", { class: "job-edit" },
        jobCard(job),
        el("details", {}, el("summary", {}, t("Edit")),
          jobForm(job, t("Save"), (data) => api("PATCH", `/api/fairs/${page.fair}/jobs/${job.id}`, data))),
        el("button", { class: "danger", onclick: () => {
          if (confirmed(`${t("Delete this job posting")}: ${job.title}?`)) api("DELETE", `/api/fairs/${page.fair}/jobs/${job.id}`);
        } }, t("Delete")))),
      ...(jobs.length ? [] : [el("p", { class: "muted" }, t("No jobs posted yet."))]),
      el("details", { class: "new-job" }, el("summary", {}, "+ " + t("Jobs")),
        jobForm(null, t("Save"), (data) => api("POST", `/api/fairs/${page.fair}/booths/${boothId}/jobs`, data))));
  }
  socket.addEventListener("state", render);
  socket.addEventListener("event", (e) => { if (e.detail.name.startsWith("job.")) render(); });
  if (socket.state) render();
}
