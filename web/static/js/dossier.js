// A worker's dossier: the profile, the CV, and which booths may read them.
import { FairSocket, api, el, onSubmit, page, t } from "./client.js";

const socket = new FairSocket(page.fair);
const path = `/api/fairs/${page.fair}/dossier`;
const form = document.getElementById("dossier-form");
let shared = new Set();

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
  if (dossier.shared_with) shared = new Set(dossier.shared_with);
  renderShares();
}

function renderShares() {
  const booths = socket.state?.booths || [];
  document.getElementById("shares").replaceChildren(...booths.map((booth) =>
    el("label", { class: "check" },
      el("input", {
        type: "checkbox", checked: shared.has(booth.id),
        onchange: async (e) => {
          const reply = await api(e.target.checked ? "PUT" : "DELETE", `${path}/shares/${booth.id}`);
          shared = new Set(reply.shared_with);
        },
      }),
      booth.employer)));
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

socket.addEventListener("state", renderShares);
api("GET", path).then(fill).catch(() => renderShares());
