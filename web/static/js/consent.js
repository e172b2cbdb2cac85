// The worker's answer to "may this company read my profile and CV?", asked before the first join
// or booking at a booth. Answers live on the server (GET /api/fairs/{fair}/dossier/shares), so a
// reload or another device does not ask again; the answer travels with the join or booking
// message and is recorded with it (docs/protocol-queue.md, "Dossier consent").
import { api, el, page, t } from "./client.js";

/**
 * Ask, unless the worker already answered for this booth. Resolves with the fields to add to the
 * message: `{ share: true | false }` for a fresh answer, `{}` when an earlier answer stands, or
 * null when the worker closed the question (then nothing is sent).
 */
export async function askConsent(boothId, company) {
  const known = await api("GET", `/api/fairs/${page.fair}/dossier/shares`).catch(() => null);
  if (known?.shared_with.includes(boothId) || known?.declined.includes(boothId)) return {};
  return new Promise((resolve) => {
    const title = el("h2", { id: "consent-title" },
      t("Let {company} read your profile and CV?")
        .replace("{company}", company || document.getElementById("booth-employer")?.textContent || ""));
    const overlay = el("div", { class: "queue-prompt consent-prompt", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "consent-title" });
    const done = (answer) => () => {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      resolve(answer);
    };
    const onKey = (e) => { if (e.key === "Escape") done(null)(); };
    overlay.append(el("div", { class: "queue-prompt-card" },
      title,
      el("p", {}, t("They can read them until you withdraw your consent on your dossier page."), " ",
        el("a", { href: `/fairs/${page.fair}/dossier`, target: "_blank" }, t("My dossier"))),
      el("p", { class: "muted" }, t("Your answer does not change your place in line or your booking.")),
      el("div", { class: "row" },
        el("button", { type: "button", class: "consent-yes", onclick: done({ share: true }) }, t("Yes, share them")),
        el("button", { type: "button", class: "consent-no", onclick: done({ share: false }) }, t("No, do not share")),
        el("button", { type: "button", class: "consent-cancel", onclick: done(null) }, t("Cancel")))));
    document.addEventListener("keydown", onKey);
    document.body.append(overlay);
    overlay.querySelector(".consent-yes").focus();
  });
}
