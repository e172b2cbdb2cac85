// The worker's side of the interview queues, on a booth page: join this booth's line (optionally
// for one job), see the place and an ETA range update live, leave; and, on the booth pages and
// the lobby, for any line of the fair, the call prompt to accept or decline. The call reaches a
// worker whose tab is in the background: a system notification (where granted), a beep, a
// vibration and the tab's title; the countdown runs against the server's deadline (corrected by
// the offset to the server's clock), never the phone's own clock. A worker may also ask to be
// warned when they are 3rd. Places live on the server: after a reload or a reconnect the page
// re-reads them with queue.mine. The first join at a booth asks whether the company may read the
// worker's profile and CV (consent.js).
import { el, page, t } from "./client.js";
import { askConsent } from "./consent.js";
import { change } from "./queue-ops.js";

const ENDED = { left: t("You left the line."), removed: t("A moderator removed you from the line."),
  dropped: t("You were away too long and lost your place."), declined: t("You declined the call."),
  no_show: t("The call was not answered in time."), done: t("The interview is over.") };

const WARN_AT = 3; // "warn me when I am 3rd"
const warnKey = (entry) => `jf-warn-${entry.id}`; // "on" (asked) or "done" (warned), per place

/** A system notification where the worker granted it; a click brings the page back. */
function notify(title, body, tag) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const note = new Notification(title, { body, tag, renotify: true, requireInteraction: true });
    note.onclick = () => { window.focus(); note.close(); };
  } catch (err) {
    console.info("notification", err.message); // Android Chrome: only from a service worker
  }
}

/** Ask for notifications once, on a tap (browsers allow the question only then). */
async function askNotifications() {
  if ("Notification" in window && Notification.permission === "default") {
    await Notification.requestPermission().catch(() => {});
  }
}

/** Web Push, where the server offers it (data-push: its VAPID key) and notifications are
 * allowed: the call then reaches a phone whose screen is off (server/web_push.py, sw.js). */
async function subscribePush(socket) {
  if (!page.push || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  if (Notification.permission !== "granted") return;
  try {
    const reg = await navigator.serviceWorker.register("/sw.js");
    await navigator.serviceWorker.ready;
    const key = Uint8Array.from(atob(page.push.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const sub = await reg.pushManager.getSubscription()
      || await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    const lang = document.documentElement.lang.slice(0, 2);
    await socket.send("push.subscribe", { subscription: sub.toJSON(), lang });
  } catch (err) {
    console.info("web push", err.message); // the page's own alarm still rings
  }
}

const roomOf = (entry) => `/fairs/${page.fair}/interviews/${entry.interview_id}`;
const minutes = (s) => Math.max(1, Math.round(s / 60));
export function etaText(eta) {
  if (!eta) return t("Calls are paused for now.");
  const [lo, hi] = eta;
  if (hi < 60) return t("You are next.");
  return `${t("Estimated wait")}: ${lo < 60 ? "<1" : minutes(lo)}–${minutes(hi)} ${t("min")}`;
}

/** A beep from WebAudio (no sound file); the context is unlocked by a click on Join. */
class Bell {
  unlock() {
    this.ctx ??= new (window.AudioContext || window.webkitAudioContext)();
    this.ctx.resume?.();
  }

  ring() {
    if (!this.ctx) return;
    const now = this.ctx.currentTime;
    for (let i = 0; i < 3; i++) {
      const osc = this.ctx.createOscillator();
      const gain = this.ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.25, now + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.35 + 0.25);
      osc.connect(gain).connect(this.ctx.destination);
      osc.start(now + i * 0.35);
      osc.stop(now + i * 0.35 + 0.3);
    }
  }
}

export function mountWorkerQueue(root, socket) {
  const bell = new Bell();
  const entries = new Map(); // entry id -> entry (with position, size, eta, line_state)
  let note = "";
  let limit = 3;
  const title = document.title;
  let prompt = null; // { entry, ends, timer, blink }
  let skew = 0; // the server's clock minus ours, in seconds (from queue.mine's `now`)

  const body = el("div", { class: "queue-body" });
  const error = el("p", { class: "form-error", role: "alert" });
  const overlay = el("div", { class: "queue-prompt", role: "alertdialog", "aria-live": "assertive", hidden: true });
  root.append(body, error);
  document.body.append(overlay);

  const boothName = (id) => socket.state?.booths.find((b) => b.id === id)?.employer || "";
  const jobTitle = (id) => socket.state?.jobs.find((j) => j.id === id)?.title || "";
  const act = async (type, data) => {
    error.textContent = "";
    try {
      return await change(socket, type, data);
    } catch (err) {
      error.textContent = err.message;
      return null;
    }
  };

  function here() {
    return [...entries.values()].find((e) => e.booth_id === page.booth);
  }

  function render() {
    body.replaceChildren();
    const mine = page.booth ? here() : null;
    if (page.booth && !mine) {
      const jobs = (socket.state?.jobs || []).filter((j) => j.booth_id === page.booth);
      const select = el("select", { name: "job_id", "aria-label": t("For which job (optional)") },
        el("option", { value: "" }, t("Any job at this booth")),
        ...jobs.map((j) => el("option", { value: j.id }, j.title)));
      const join = el("button", { type: "button", class: "queue-join", onclick: async () => {
        bell.unlock();
        const asked = askNotifications();
        join.disabled = true;
        const answer = await askConsent(page.booth, boothName(page.booth));
        const entry = answer && await act("queue.join", { booth_id: page.booth, job_id: select.value || null, ...answer });
        join.disabled = false;
        if (entry) { note = ""; entries.set(entry.id, entry); render(); asked.then(() => subscribePush(socket)); }
      } }, t("Join the interview line"));
      body.append(...[
        note ? el("p", { class: "queue-note" }, t(note)) : null,
        el("p", { class: "muted" }, t("Wait here for a one-on-one interview. Lines you may stand in at once:"), ` ${limit}.`),
        jobs.length ? select : null, join].filter(Boolean));
    } else if (mine) {
      body.append(place(mine));
    }
    const elsewhere = [...entries.values()].filter((e) => e.booth_id !== page.booth);
    if (!page.booth && !elsewhere.length) {
      body.append(el("p", { class: "muted" }, t("You are in no interview line yet: open a booth to join its line.")));
    }
    if (elsewhere.length) {
      body.append(page.booth ? el("h3", {}, t("Your other lines")) : "",
        el("ul", { class: "queue-others" }, elsewhere.map((e) =>
          el("li", {}, el("a", { href: `/fairs/${page.fair}/booths/${e.booth_id}` }, boothName(e.booth_id)),
            " · ", status(e)))));
    }
  }

  function status(e) {
    if (e.state === "held") return t("On hold while you are in another interview; you keep your place.");
    if (e.state === "called") return t("Calling you now!");
    if (e.state === "interviewing") {
      return el("a", { class: "queue-room", href: roomOf(e) }, t("Interview under way: open the room"));
    }
    if (!e.position) return "";
    return `${t("Place")} ${e.position} / ${e.size} · ${etaText(e.eta)}`;
  }

  function place(e) {
    const leave = e.state === "waiting" || e.state === "held"
      ? el("button", { type: "button", class: "danger queue-leave",
          onclick: async () => { if (await act("queue.leave", { entry_id: e.id })) { entries.delete(e.id); render(); } } },
        t("Leave the line"))
      : null;
    return el("div", { class: "queue-place", dataset: { state: e.state } },
      e.position ? el("p", { class: "queue-position" },
        el("strong", { class: "queue-number" }, String(e.position)), " ",
        `${t("in line of")} ${e.size}`) : null,
      el("p", { class: "queue-status" }, e.position && e.state === "waiting" ? etaText(e.eta) : status(e)),
      e.job_id ? el("p", { class: "muted" }, `${t("For")}: ${jobTitle(e.job_id)}`) : null,
      e.state === "waiting" ? warnToggle(e) : null,
      leave);
  }

  function warnToggle(e) {
    const box = el("input", { type: "checkbox", class: "queue-warn", checked: Boolean(localStorage.getItem(warnKey(e))),
      onchange: () => {
        if (box.checked) { bell.unlock(); askNotifications(); localStorage.setItem(warnKey(e), "on"); }
        else localStorage.removeItem(warnKey(e));
        warnIfNear(e);
      } });
    return el("label", { class: "check" }, box, t("Warn me when I am 3rd in line"));
  }

  /** The "3rd in line" warning, once per place. */
  function warnIfNear(e) {
    if (localStorage.getItem(warnKey(e)) !== "on" || !e.position || e.position > WARN_AT) return;
    localStorage.setItem(warnKey(e), "done");
    const text = `${boothName(e.booth_id)}: ${t("you are")} ${e.position} ${t("in line of")} ${e.size}`;
    notify(t("Your turn is near"), text, `near-${e.id}`);
    bell.ring();
    navigator.vibrate?.([200, 100, 200]);
    document.title = `⏳ ${t("Your turn is near")}`;
  }

  function showPrompt(entry, seconds) {
    hidePrompt();
    // the server's deadline on our clock; `seconds` only when an old server sends no deadline
    const ends = entry.deadline ? (entry.deadline - skew) * 1000 : Date.now() + seconds * 1000;
    if (ends <= Date.now()) return;
    const count = el("strong", { class: "queue-countdown" });
    const answer = (type) => async () => {
      for (const b of overlay.querySelectorAll("button")) b.disabled = true;
      const result = await act(type, { entry_id: entry.id });
      if (result?.interview_id) location.assign(roomOf(result)); // accepted: face to face
      if (result) { entries.set(result.id, result); hidePrompt(); render(); }
      else for (const b of overlay.querySelectorAll("button")) b.disabled = false;
    };
    overlay.replaceChildren(el("div", { class: "queue-prompt-card" },
      el("h2", {}, t("It is your turn!")),
      el("p", {}, `${boothName(entry.booth_id)} ${t("is calling you to an interview.")}`),
      el("p", {}, t("Time left to answer"), ": ", count, ` ${t("s")}`),
      el("div", { class: "row" },
        el("button", { type: "button", class: "queue-accept", onclick: answer("queue.accept") }, t("Accept")),
        el("button", { type: "button", class: "danger queue-decline", onclick: answer("queue.decline") }, t("Decline")))));
    overlay.hidden = false;
    const tick = () => {
      const left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      count.textContent = String(left);
      if (left === 0) hidePrompt();
    };
    tick();
    let on = false;
    prompt = { entry, timer: setInterval(tick, 250),
      blink: setInterval(() => { on = !on; document.title = on ? `🔔 ${t("It is your turn!")}` : title; }, 800) };
    document.title = `🔔 ${t("It is your turn!")}`;
    bell.ring();
    navigator.vibrate?.([400, 200, 400, 200, 800]);
    notify(t("It is your turn!"), `${boothName(entry.booth_id)} ${t("is calling you to an interview.")}`, `call-${entry.id}`);
    overlay.querySelector(".queue-accept").focus();
  }

  function hidePrompt() {
    if (!prompt) return;
    clearInterval(prompt.timer);
    clearInterval(prompt.blink);
    prompt = null;
    overlay.hidden = true;
    document.title = title;
  }

  function update(entry, seconds) {
    if (ENDED[entry.state]) {
      entries.delete(entry.id);
      if (entry.booth_id === page.booth) note = ENDED[entry.state];
    } else {
      entries.set(entry.id, { ...entries.get(entry.id), ...entry });
    }
    if (entry.state === "called" && (seconds > 0 || entry.deadline)) showPrompt(entry, seconds);
    else if (prompt?.entry.id === entry.id) hidePrompt();
    render();
  }

  let pushed = false;
  async function load() {
    try {
      const asked = Date.now() / 1000;
      const mine = await socket.send("queue.mine");
      skew = mine.now - (asked + Date.now() / 1000) / 2; // the answer came from halfway
      limit = mine.settings.lines_per_worker;
      entries.clear();
      for (const e of mine.entries) entries.set(e.id, e);
      if (entries.size && !pushed) { pushed = true; subscribePush(socket); } // once per page load
      const called = mine.entries.find((e) => e.state === "called");
      if (called && called.seconds > 0) showPrompt(called, called.seconds);
      else hidePrompt();
      render();
    } catch (err) {
      console.warn("queue.mine failed", err);
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !prompt) document.title = title; // the "near" warning was seen
  });
  socket.addEventListener("state", load);
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "queue.entry") update(data, data.seconds);
    else if (name === "queue.position") {
      const e = entries.get(data.entry_id);
      if (!e) return;
      Object.assign(e, { position: data.position, size: data.size, eta: data.eta, line_state: data.line });
      warnIfNear(e);
      render();
    }
  });
  if (socket.state) load();
}

const root = document.getElementById("queue");
if (root && page.role === "worker") {
  const { socket } = await import(`./${page.page}.js`);
  mountWorkerQueue(root, socket);
}
