// Shared by every page: translations, the JSON API, a safe DOM builder and the fair websocket.

const messages = JSON.parse(document.getElementById("i18n")?.textContent || "{}");

export const page = document.body.dataset;
/** The page's language ("vi", "en", "zh-CN"): dates, numbers and money are written by it. */
export const locale = document.documentElement.lang || "vi";
/** The fair's time zone: every time is shown in it, whatever the device's clock says. */
export const fairZone = page.tz || "Asia/Ho_Chi_Minh";

/** Translate a UI string the server handed to the page (Babel extracts every `t("...")`). */
export const t = (s) => {
  const m = messages[s];
  return typeof m === "string" ? m : s;
};

const plurals = new Intl.PluralRules(locale);
const numbers = new Intl.NumberFormat(locale);
/** A count in words: `tn("{n} opening", "{n} openings", n)`, the form the language uses for n. */
export function tn(singular, plural, n) {
  const forms = messages[singular];
  const form = typeof forms === "object" ? (forms[plurals.select(n)] ?? forms.other) : (n === 1 ? singular : plural);
  return form.replace("{n}", numbers.format(n));
}

/** What a refusal says to a person, by its code: pages never show the server's English. */
const REFUSALS = {
  invalid_input: t("That was not accepted: please check what you entered."),
  unauthenticated: t("Please sign in again."),
  forbidden: t("You may not do this here."),
  not_found: t("This no longer exists."),
  conflict: t("Someone changed this at the same time; please try again."),
  invalid_state: t("This cannot be done right now."),
  limit_reached: t("You have reached the limit for this."),
  rate_limited: t("Too many actions at once; please wait a moment."),
  unavailable: t("The server did not answer; please try again."),
  internal: t("Something went wrong on our side; please try again."),
  draining: t("This server is restarting; please wait a moment."),
  too_large: t("The file is too large."),
  unsupported_media: t("This kind of file is not accepted."),
  poll_closed: t("This poll no longer takes answers."),
  staff_busy: t("You are already calling or interviewing someone: finish that first, or let a free teammate call."),
  codec_mismatch: t("This browser cannot send the video format this stream uses; please try Chrome or Firefox."),
};

/** An Error for a refusal: its message translated from the code; the server's detail goes
 * to the console only. */
export function refusal(code, detail) {
  if (detail) console.info(code, detail);
  return Object.assign(new Error(REFUSALS[code] ?? REFUSALS.internal), { code });
}

/** Build an element; children are text or nodes. Text never becomes HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Call the JSON API; throws a `refusal` for an error status. */
export async function api(method, path, body, contentType = "application/json") {
  const headers = { "x-csrf-token": document.querySelector('meta[name="csrf"]').content };
  let payload;
  if (body !== undefined) {
    headers["content-type"] = contentType;
    payload = contentType === "application/json" ? JSON.stringify(body) : body;
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(data.error || "internal", data.message);
  return data;
}

/** Ask before a destructive action (removing someone, a time, a posting; stopping a stream). */
export const confirmed = (question) => window.confirm(question);

/** Wire a <form> to an async submit handler that shows errors in its .form-error. */
export function onSubmit(form, handler) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".form-error");
    if (error) error.textContent = "";
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      await handler(Object.fromEntries(new FormData(form)));
    } catch (err) {
      if (error) error.textContent = err.message;
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** An amount in the posting's currency, written as the page's language writes money. */
const moneyFormats = new Map(); // currency -> its formatter: building one costs more than using it
export function formatMoney(amount, currency = "VND") {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: 0 });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}

const inFair = (options) => new Intl.DateTimeFormat(locale, { timeZone: fairZone, ...options });
const clockFormat = inFair({ hour: "2-digit", minute: "2-digit" });
const dayFormat = inFair({ weekday: "short", day: "numeric", month: "short" });
const whenFormat = inFair({ dateStyle: "medium", timeStyle: "short" });
/** "14:05": a time (seconds since the epoch) on the fair's clock. */
export const formatTime = (at) => clockFormat.format(at * 1000);
/** "Th 5, 26 thg 11": a day on the fair's calendar. */
export const formatDay = (at) => dayFormat.format(at * 1000);
/** A date and time on the fair's clock. */
export const formatWhen = (at) => whenFormat.format(at * 1000);
/** The fair's zone as the page names it ("Giờ Việt Nam (GMT+07:00)"). */
export const zoneName = page.tzName || fairZone;

/** The fair zone's offset from UTC at `ms`, in ms. */
function zoneOffset(ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: fairZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Seconds since the epoch of a datetime-local value ("2026-11-26T14:00") read on the fair's
 * clock: what a moderator or recruiter types means the fair's time, not their device's. */
export function fairEpoch(local) {
  const [date, time] = local.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const first = wall - zoneOffset(wall);
  return (wall - zoneOffset(first)) / 1000;
}
export const abroadLabel = { "": t("Domestic"), JP: t("Japan"), KR: t("Korea"), TW: t("Taiwan") };

/**
 * The fair websocket. Keeps the lobby state (fair, booths, jobs) at the server's revision:
 * an event with a gap in revisions, a reconnect or a server "resync" re-reads the snapshot.
 * While the server says "degraded" (its Redis is not answering), the status shows reconnecting.
 * Listeners: "state" (the whole state changed), "event" (detail {name, data}), "status",
 * "welcome" (a new connection: what the old one held on the server has ended).
 */
export class FairSocket extends EventTarget {
  constructor(fairId) {
    super();
    this.fairId = fairId;
    this.state = null;
    this.you = null;
    this.pending = new Map();
    this.nextId = 1;
    this.backoff = 500;
    this.statusEl = document.getElementById("conn-status");
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.setStatus(t("connecting…"), "connecting");
    const ws = new WebSocket(`${scheme}://${location.host}/ws/fairs/${this.fairId}`);
    this.ws = ws;
    ws.onmessage = (m) => this.receive(JSON.parse(m.data));
    ws.onclose = (e) => {
      for (const { reject } of this.pending.values()) reject(new Error(t("reconnecting…")));
      this.pending.clear();
      if (e.code === 4401 || e.code === 4403) {
        const why = e.code === 4401 ? REFUSALS.unauthenticated : t("You are not a participant of this fair.");
        this.setStatus(why, "error");
        return;
      }
      this.setStatus(t("reconnecting…"), "connecting");
      const delay = this.backoff * (0.5 + Math.random());
      this.backoff = Math.min(this.backoff * 2, 10000);
      setTimeout(() => this.connect(), delay);
    };
  }

  setStatus(text, kind) {
    if (this.statusEl) {
      this.statusEl.textContent = text;
      this.statusEl.dataset.kind = kind;
    }
    this.dispatchEvent(new CustomEvent("status", { detail: kind }));
  }

  /** Send a message; resolves with the ack's data, rejects with a `refusal` for an error frame. */
  send(type, data = {}) {
    const id = `m${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        reject(new Error(t("reconnecting…")));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, type, data }));
    });
  }

  receive(frame) {
    if (frame.type === "welcome") {
      this.backoff = 500;
      this.you = frame.you;
      this.dispatchEvent(new CustomEvent("welcome")); // before "state": old legs drop first
      this.setState(frame.state);
      this.setStatus(t("connected"), "ok");
    } else if (frame.type === "ack" || frame.type === "error") {
      const waiter = this.pending.get(frame.id);
      if (!waiter) {
        if (frame.type === "error") console.warn(frame.code, frame.message);
        return;
      }
      this.pending.delete(frame.id);
      if (frame.type === "ack") waiter.resolve(frame.data);
      else waiter.reject(refusal(frame.code, frame.message));
    } else if (frame.type === "event") {
      this.onEvent(frame);
    }
  }

  onEvent({ event: name, data, rev }) {
    if (name === "degraded") {
      this.setStatus(t("reconnecting…"), "connecting");
      return;
    }
    if (name === "resync") {
      this.setStatus(t("connected"), "ok");
      this.resync();
      return;
    }
    if (name === "stream.viewers" && this.state?.streams[data.booth_id]) {
      // levels: how many get each layer (only in this event, for the recruiter's console)
      Object.assign(this.state.streams[data.booth_id], { viewers: data.viewers, levels: data.levels });
    }
    if (rev !== undefined && this.state) {
      if (rev <= this.state.rev) return; // already in the snapshot
      if (rev > this.state.rev + 1) {
        this.resync();
        return;
      }
      this.state.rev = rev;
      applyLobbyEvent(this.state, name, data);
    }
    this.dispatchEvent(new CustomEvent("event", { detail: { name, data } }));
  }

  async resync() {
    try {
      this.setState(await this.send("fair.snapshot"));
    } catch (err) {
      console.warn("resync failed", err);
    }
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }
}

function upsert(list, item) {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

function applyLobbyEvent(state, name, data) {
  switch (name) {
    case "fair.updated": state.fair = data; break;
    case "booth.created": case "booth.updated": upsert(state.booths, data); break;
    case "job.created": case "job.updated": upsert(state.jobs, data); break;
    case "job.deleted": state.jobs = state.jobs.filter((j) => j.id !== data.id); break;
    case "stream.live": case "stream.paused": case "stream.resumed": case "stream.handed_over":
      state.streams[data.booth_id] = data; break;
    case "stage.guest": state.stage_guest = data.booth_id; break;
    case "stream.offline": delete state.streams[data.booth_id]; break;
  }
}

/** A job posting, as shown to workers. */
export function jobCard(job) {
  const where = job.abroad ? `${job.location} · ${abroadLabel[job.abroad]}` : job.location;
  return el("article", { class: "job", dataset: { job: job.id } },
    el("h4", {}, job.title),
    el("p", { class: "job-meta" },
      el("span", { class: "openings" }, tn("{n} opening", "{n} openings", job.openings)), " · ",
      el("span", { class: "salary" }, t("{pay} a month").replace("{pay}",
        `${formatMoney(job.salary_min_vnd, job.currency)}–${formatMoney(job.salary_max_vnd, job.currency)}`)),
      " · ", el("span", { class: "where" }, where)),
    job.requirements ? el("p", { class: "req" }, `${t("Requirements")}: ${job.requirements}`) : null);
}
