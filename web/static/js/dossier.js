// A worker's dossier: the profile, the CV, and who can read them: the companies the worker said
// yes to (asked at a join or a booking, changed here) and, always, the fair's moderators.
import { FairSocket, api, el, onSubmit, page, t } from "./client.js";

const socket = new FairSocket(page.fair);
const path = `/api/fairs/${page.fair}/dossier`;
const form = document.getElementById("dossier-form");
let consent = { shared_with: [], declined: [] };

const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

function fill(dossier) {
  for (const key of ["name", "contact", "birth_year", "home_province", "education", "desired_job"]) {
    form.elements[key].value = dossier[key] ?? "";
  }
  form.elements.skills.value = dossier.skills.join(", ");
  form.elements.languages.value = dossier.languages.join(", ");
  for (const box of form.querySelectorAll("input[name=abroad]")) {
    box.checked = dossier.abroad_countries.includes(box.value);
  }
  document.getElementById("cv-status").textContent = dossier.cv_url
    ? `${t("CV uploaded")} (${dossier.cv_kind.toUpperCase()}, ${Math.ceil(dossier.cv_bytes / 1024)} KiB)`
    : t("No CV uploaded yet.");
}

function renderShares() {
  const booths = socket.state?.booths || [];
  const readers = booths.filter((b) => consent.shared_with.includes(b.id)).map((b) => b.employer);
  document.getElementById("readers-booths").textContent = readers.length
    ? `${t("These companies can read your profile and CV")}: ${readers.join(", ")}.`
    : t("No company can read your profile and CV.");
  document.getElementById("shares").replaceChildren(...booths.map((booth) =>
    el("label", { class: "check", dataset: { booth: booth.id } },
      el("input", {
        type: "checkbox", checked: consent.shared_with.includes(booth.id),
        onchange: async (e) => {
          e.target.disabled = true;
          try {
            consent = await api(e.target.checked ? "PUT" : "DELETE", `${path}/shares/${booth.id}`);
          } finally {
            renderShares();
          }
        },
      }),
      booth.employer,
      consent.declined.includes(booth.id) ? el("span", { class: "muted" }, ` (${t("you said no")})`) : null)));
}

async function loadShares() {
  consent = await api("GET", `${path}/shares`).catch(() => consent);
  renderShares();
}

onSubmit(form, async (data) => {
  fill(await api("PUT", path, {
    name: data.name,
    contact: data.contact,
    birth_year: data.birth_year ? Number(data.birth_year) : null,
    home_province: data.home_province,
    education: data.education,
    skills: list(data.skills),
    desired_job: data.desired_job,
    languages: list(data.languages),
    abroad_countries: [...form.querySelectorAll("input[name=abroad]:checked")].map((b) => b.value),
  }));
});
onSubmit(document.getElementById("cv-form"), async () => {
  const file = document.querySelector("#cv-form input[type=file]").files[0];
  if (file) fill(await api("PUT", `${path}/cv`, file, "application/octet-stream"));
});

socket.addEventListener("state", loadShares);
socket.addEventListener("event", ({ detail: { name } }) => { if (name === "dossier.shares") loadShares(); });
api("GET", path).then(fill).catch(() => {});
loadShares();
