// Booked interview times, the staff's side: publish times for the booth (one, or several back to
// back), see who booked each, remove one (its workers are told). Recruiter console: their booth;
// moderator console: a booth chosen from the list. Times are entered and shown in local time.
import { picker } from "./booth-picker.js";
import { confirmed, el, fairEpoch, onSubmit, page, t } from "./client.js";
import { change } from "./queue-ops.js";
import { when } from "./slots.js";

function mountStaffSlots(root, socket) {
  let booth = root.dataset.booth || picker.booth;
  const choose = !root.dataset.booth; // the moderator console: follows its booth picker
  const list = el("ul", { class: "slots-list slots-staff" });
  const error = el("p", { class: "form-error", role: "alert" });
  if (choose) picker.addEventListener("change", () => { booth = picker.booth; load(); });
  const number = (name, label, min, max, value) => el("label", {}, label,
    el("input", { name, type: "number", min, max, value, required: true }));
  const form = el("form", { class: "row slots-publish" },
    el("label", {}, t("Starts"), el("input", { name: "starts_at", type: "datetime-local", required: true })),
    number("minutes", t("Minutes each"), 5, 120, 15),
    number("capacity", t("Places each"), 1, 50, 1),
    number("count", t("How many, back to back"), 1, 48, 1),
    el("button", { type: "submit" }, t("Publish times")),
    el("p", { class: "form-error", role: "alert" }));
  onSubmit(form, async (data) => {
    const startsAt = fairEpoch(data.starts_at); // typed on the fair's clock
    await change(socket, "slots.publish", { booth_id: booth, starts_at: startsAt,
      minutes: Number(data.minutes), capacity: Number(data.capacity), count: Number(data.count) });
    await load();
  });
  root.append(form, error, list);

  function render(slots) {
    list.replaceChildren(...slots.map((s) => el("li", { dataset: { slot: s.id } },
      el("strong", {}, when(s)), ` · ${s.booked} / ${s.capacity} ${t("booked")}`,
      s.begun ? el("span", { class: "badge" }, t("begun")) : null,
      el("button", { type: "button", class: "danger slots-remove", onclick: async () => {
        const warn = s.booked ? ` ${t("Its bookings are cancelled and the workers are told.")}` : "";
        if (!confirmed(`${t("Remove this time")}: ${when(s)}?${warn}`)) return;
        error.textContent = "";
        try {
          await change(socket, "slots.remove", { slot_id: s.id });
          await load();
        } catch (err) {
          error.textContent = err.message;
        }
      } }, t("Remove this time")),
      s.bookings.length ? el("ul", { class: "slots-bookings" }, s.bookings.map((b) =>
        el("li", {}, el("strong", {}, b.name), b.contact ? ` · ${b.contact}` : ""))) : null)));
    if (!slots.length) list.append(el("li", { class: "muted" }, t("No interview times offered yet.")));
  }

  async function load() {
    if (!booth) return;
    try {
      render((await socket.send("slots.list", { booth_id: booth })).slots);
    } catch (err) {
      error.textContent = err.message;
    }
  }

  socket.addEventListener("state", load);
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "slots.changed" && data.booth_id === booth) load();
  });
  if (socket.state) load();
}

const root = document.getElementById("slots");
if (root && (page.role === "recruiter" || page.role === "moderator")) {
  const { socket } = await import(`./${page.page}.js`);
  mountStaffSlots(root, socket);
}
