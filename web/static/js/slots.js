// Booked interview times, the worker's side (booth page): this booth's upcoming times on the
// fair's clock with the places left, book or cancel; the worker's bookings at every booth;
// a reminder shortly before. When a time begins the server puts the worker at the head of the
// booth's line (queue-worker.js shows that place). Counts arrive as small fair-wide events. The
// first booking at a booth asks whether the company may read the worker's profile and CV.
import { confirmed, el, formatDay, formatTime, page, t, tn } from "./client.js";
import { askConsent } from "./consent.js";
import { change } from "./queue-ops.js";

/** "Th 5, 26 thg 11 09:00–09:15": on the fair's calendar and clock, in the page's language. */
export function when(slot) {
  return `${formatDay(slot.starts_at)} ${formatTime(slot.starts_at)}–${formatTime(slot.ends_at)}`;
}

export function mountWorkerSlots(root, socket) {
  const slots = new Map(); // this booth's, id -> slot (with left, mine)
  const mine = new Map(); // the worker's bookings at every booth, id -> slot
  let skew = 0; // server clock minus ours, in seconds
  const list = el("ul", { class: "slots-list" });
  const booked = el("p", { class: "slots-mine" });
  const note = el("p", { class: "slots-note", role: "alert" });
  const error = el("p", { class: "form-error", role: "alert" });
  root.append(el("p", { class: "muted" },
    t("Choose a time: when it comes, you go to the front of this booth's line.")), booked, list, note, error);

  const boothName = (id) => socket.state?.booths.find((b) => b.id === id)?.employer || "";
  const now = () => Date.now() / 1000 + skew;
  const act = async (type, slot, extra = {}) => {
    error.textContent = "";
    try {
      remember(await change(socket, type, { slot_id: slot.id, ...extra }));
    } catch (err) {
      error.textContent = err.message;
    }
  };
  const book = async (slot) => {
    const answer = await askConsent(page.booth, boothName(page.booth));
    if (answer) await act("slots.book", slot, answer);
  };

  function remember(slot) {
    if (slot.booth_id === page.booth) slots.set(slot.id, { ...slots.get(slot.id), ...slot });
    if (slot.mine) mine.set(slot.id, slot);
    else mine.delete(slot.id);
    render();
  }

  function render() {
    const upcoming = [...slots.values()].filter((s) => s.starts_at > now())
      .sort((a, b) => a.starts_at - b.starts_at);
    list.replaceChildren(...upcoming.map((s) => el("li", { dataset: { slot: s.id, mine: s.mine ? "yes" : "no" } },
      el("strong", {}, when(s)), " · ",
      s.mine ? el("span", { class: "badge slots-booked" }, t("Booked"))
        : s.left > 0 ? tn("{n} place left", "{n} places left", s.left) : t("Fully booked"),
      s.mine ? el("button", { type: "button", class: "danger slots-cancel", onclick: () => {
        if (confirmed(`${t("Cancel booking")}: ${when(s)}?`)) act("slots.cancel", s);
      } },
        t("Cancel booking"))
        : el("button", { type: "button", class: "slots-book", disabled: s.left <= 0,
          onclick: () => book(s) }, t("Book")))));
    if (!upcoming.length) list.append(el("li", { class: "muted" }, t("No interview times offered yet.")));
    const ahead = [...mine.values()].filter((s) => s.ends_at > now()).sort((a, b) => a.starts_at - b.starts_at);
    booked.replaceChildren(...(ahead.length ? [t("Your interview times"), ": ",
      ...ahead.flatMap((s, i) => [i ? "; " : "",
        el("a", { href: `/fairs/${page.fair}/booths/${s.booth_id}` }, boothName(s.booth_id)), ` ${when(s)}`])] : []));
  }

  async function load() {
    try {
      const [here, own] = await Promise.all([
        socket.send("slots.list", { booth_id: page.booth }), socket.send("slots.mine")]);
      skew = here.now - Date.now() / 1000;
      slots.clear();
      for (const s of here.slots) slots.set(s.id, s);
      mine.clear();
      for (const s of own.slots) mine.set(s.id, s);
      render();
    } catch (err) {
      console.warn("slots failed to load", err);
    }
  }

  socket.addEventListener("state", load);
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "slots.changed" && data.booth_id === page.booth) {
      for (const s of data.slots || []) slots.set(s.id, { ...s, mine: mine.has(s.id) });
      for (const id of data.removed || []) slots.delete(id);
      render();
    } else if (name === "slots.booking") {
      remember(data.slot);
      if (data.state === "removed") note.textContent = `${t("The booth cancelled your interview time")}: ${boothName(data.slot.booth_id)} ${when(data.slot)}`;
    } else if (name === "slots.reminder") {
      const minutes = Math.max(1, Math.round(data.seconds / 60));
      note.textContent = `${t("Your interview time begins soon")}: ${boothName(data.slot.booth_id)} · ${minutes} ${t("min")}`;
    }
  });
  setInterval(render, 30000); // times that began drop off the list
  if (socket.state) load();
}

const root = document.getElementById("slots");
if (root && page.role === "worker") {
  const { socket } = await import(`./${page.page}.js`);
  mountWorkerSlots(root, socket);
}
