// The interview room: the other side's video large, one's own small, a chat beside it and a timer
// against the booth's slot length; the recruiter also reads the worker's dossier, writes notes,
// records the outcome, adds time and ends the interview (queue.finish). Media goes through the
// server: each side publishes its camera and views the other's (docs/protocol-interview.md). When
// media cannot connect the chat still works and the state line says why.
import { FairSocket, el, formatTime, onSubmit, page, t } from "./client.js";
import { change } from "./queue-ops.js";
import { mountLevelNotice } from "./link-level.js";
import {
  addSending, iceServers, LEVELS, lowLayerOf, offerWhenGathered, playWithSound, receivingPeer, remembered, webrtcProblem,
} from "./stream.js";

// Two-way video over weak links: each side sends at most this much video (the booth stream: 1 Mbps).
const VIDEO_MAX_BITRATE = 600_000;
const CHECK_EVERY_MS = 1000;
const NO_FRAMES_MS = 2500; // no frame decoded this long while connected: the camera is off
const RETRY_MAX_MS = 10_000;

const root = document.getElementById("interview");
const interviewId = root.dataset.interview;
const side = root.dataset.side;
const walkIn = Boolean(root.dataset.walkIn);
export const socket = new FairSocket(page.fair);

/** Audio only chosen by hand in an interview room, remembered per fair (apart from the booths':
 * saving data on booth streams does not turn one's camera off in an interview). */
const handAudioOnly = remembered(`jobfair.interview-audio-only.${page.fair}`);

/** Both directions of one participant's media: publish the camera (two layers, as a booth's
 * recruiter does), view the other side's. `onState(kind, text)`: connecting | live | off | audio |
 * reconnecting | error (for the other side's video); `onSelf(text)`: a problem with one's own
 * camera ("" when none). */
export class InterviewCall {
  constructor(socket, interviewId, otherVideo, selfVideo, onState, onSelf) {
    Object.assign(this, { socket, interviewId, otherVideo, selfVideo, onState, onSelf });
    this.media = null;
    this.low = null; // the small layer's track, if sent
    this.sendPc = null;
    this.viewPc = null;
    this.audioOnly = handAudioOnly.get();
    this.level = null; // what the server sends this side (`interview.link`), null until it says
    this.lossPct = 0;
    this.onLevel = () => {}; // as BoothViewer.onLevel
    this.attempts = { view: 0, publish: 0 };
    this.frames = { decoded: 0, at: 0 };
    this.active = false;
    this.monitor = null;
  }

  /** Start both directions; a browser without WebRTC gets a clear error (the chat still works). */
  async start() {
    const problem = webrtcProblem();
    if (problem) return this.onState("error", problem);
    this.active = true;
    this.monitor = setInterval(() => this.check(), CHECK_EVERY_MS);
    await Promise.all([this.view(), this.startCamera()]);
  }

  /** A new websocket: the server ended what the old one published and viewed. */
  reconnect() {
    if (!this.active) return;
    this.view();
    if (this.media) this.publish();
  }

  async startCamera() {
    const problem = webrtcProblem({ camera: true });
    if (problem) return this.onSelf(problem);
    const audio = { echoCancellation: true, noiseSuppression: true };
    try {
      this.media = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24 } }, audio });
      this.onSelf("");
    } catch (err) {
      const refused = err.name === "NotAllowedError" || err.name === "SecurityError";
      this.onSelf(refused ? t("Camera or microphone access was refused.") : `${t("Your camera is not available.")} (${err.message})`);
      try {
        this.media = await navigator.mediaDevices.getUserMedia({ audio }); // heard, if not seen
      } catch {
        return;
      }
    }
    this.low = await lowLayerOf(this.media.getVideoTracks()[0]);
    if (!this.active) return this.stopCamera();
    this.selfVideo.srcObject = this.media;
    this.selfVideo.play().catch(() => {});
    await this.publish();
  }

  async publish() {
    this.sendPc?.close();
    const pc = new RTCPeerConnection({ iceServers });
    this.sendPc = pc;
    addSending(pc, this.media, VIDEO_MAX_BITRATE, this.low);
    pc.onconnectionstatechange = () => {
      if (pc !== this.sendPc) return;
      if (pc.connectionState === "connected") {
        this.attempts.publish = 0;
        this.sendVideo(!this.audioOnly);
      } else if (pc.connectionState === "failed") {
        this.again("publish", () => this.publish());
      }
    };
    try {
      const sdp = await offerWhenGathered(pc);
      const answer = await this.socket.send("interview.publish", { interview_id: this.interviewId, sdp });
      if (pc === this.sendPc) await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      if (pc === this.sendPc) {
        this.onSelf(err.message);
        this.again("publish", () => this.publish());
      }
    }
  }

  async view() {
    this.viewPc?.close();
    const pc = receivingPeer(this.otherVideo, () =>
      playWithSound(this.otherVideo, () => this.onSoundBlocked?.()));
    this.viewPc = pc;
    this.setLevel(null);
    this.frames = { decoded: 0, at: 0 };
    this.onState("connecting", t("connecting…"));
    pc.onconnectionstatechange = () => {
      if (pc !== this.viewPc) return;
      if (pc.connectionState === "connected") {
        this.attempts.view = 0;
        this.frames.at = Date.now();
        this.check();
      } else if (pc.connectionState === "failed") {
        this.again("view", () => this.view());
      }
    };
    try {
      const sdp = await offerWhenGathered(pc);
      const answer = await this.socket.send("interview.view",
        { interview_id: this.interviewId, sdp, audio_only: this.audioOnly });
      if (pc === this.viewPc) await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      if (pc === this.viewPc) this.again("view", () => this.view(), err.message);
    }
  }

  /** Try again later, waiting longer each time (at most RETRY_MAX_MS). */
  again(which, retry, message) {
    if (!this.active) return;
    if (which === "view") this.onState("reconnecting", message || t("reconnecting…"));
    const delay = Math.min(1000 * 2 ** this.attempts[which]++, RETRY_MAX_MS);
    setTimeout(() => { if (this.active) retry(); }, delay);
  }

  /** Judge the other side's video from this page's own receiving statistics. */
  async check() {
    const pc = this.viewPc;
    if (!pc || pc.connectionState !== "connected") return;
    let decoded = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") decoded = s.framesDecoded || 0;
    });
    if (pc !== this.viewPc) return;
    if (decoded > this.frames.decoded) this.frames = { decoded, at: Date.now() };
    if (this.videoStopped) this.onState("audio", t("audio only"));
    else if (Date.now() - this.frames.at < NO_FRAMES_MS) this.onState("live", t("LIVE"));
    else this.onState("off", t("The other side's camera is off."));
  }

  /** The server says the other side's camera started or stopped. */
  otherMedia(live) {
    if (!this.active) return;
    if (!live) {
      this.frames.at = 0;
      this.check();
    } else if (!this.viewPc || ["failed", "closed"].includes(this.viewPc.connectionState)) {
      this.view();
    } else {
      // connected but nothing arriving a while after it went live: view again
      setTimeout(() => {
        if (this.active && !this.audioOnly && Date.now() - this.frames.at > NO_FRAMES_MS) this.view();
      }, NO_FRAMES_MS + 1000);
    }
  }

  /** The server stopped our video (weak link), or we chose audio only. */
  get videoStopped() { return this.audioOnly || this.level === "audio" || this.level === "text"; }

  /** The server moved this side's downlink to `level` (`interview.link`). */
  setLevel(level, lossPct = 0) {
    this.level = LEVELS.includes(level) ? level : null;
    this.lossPct = Number(lossPct) || 0;
    this.onLevel(this.level && { level: this.level, lossPct: this.lossPct, byHand: this.audioOnly });
    this.check();
  }

  /** Audio only both ways, by hand (remembered): the server stops sending us video, and we stop
   * sending ours. Off: video again, also after the server stopped it on a weak link. */
  async setAudioOnly(on) {
    this.audioOnly = on;
    handAudioOnly.set(on);
    this.sendVideo(!on);
    if (this.viewPc?.connectionState === "connected") {
      await this.socket.send("interview.audio_only", { interview_id: this.interviewId, on });
    }
    this.setLevel(this.level, this.lossPct);
  }

  /** Both layers on or off. */
  sendVideo(on) {
    for (const sender of this.sendPc?.getSenders() || []) {
      if (sender.track?.kind !== "video") continue;
      const params = sender.getParameters();
      if (!params.encodings?.length) continue;
      for (const encoding of params.encodings) encoding.active = on;
      sender.setParameters(params).catch(() => {});
    }
  }

  stopCamera() {
    for (const track of [...(this.media?.getTracks() || []), this.low]) track?.stop();
    this.media = this.low = null;
  }

  /** End both directions and release the camera. */
  close() {
    if (!this.active) return;
    this.active = false;
    clearInterval(this.monitor);
    this.setLevel(null);
    this.sendPc?.close();
    this.viewPc?.close();
    this.sendPc = this.viewPc = null;
    this.stopCamera();
    this.selfVideo.srcObject = null;
    this.otherVideo.srcObject = null;
    this.socket.send("interview.leave", { interview_id: this.interviewId }).catch(() => {});
  }
}

// --- the page ------------------------------------------------------------------------------------

const stateLine = document.getElementById("iv-state");
const selfState = document.getElementById("iv-self-state");
const errorLine = document.getElementById("iv-error");
const timer = document.getElementById("iv-timer");
const messages = document.getElementById("iv-messages");
const sayForm = document.getElementById("iv-say");

export const call = new InterviewCall(socket, interviewId,
  document.getElementById("iv-other"), document.getElementById("iv-self"),
  (kind, text) => {
    stateLine.dataset.kind = kind;
    stateLine.textContent = text;
  },
  (text) => {
    selfState.hidden = !text;
    selfState.textContent = text;
  });

const unmute = document.getElementById("iv-unmute");
call.onSoundBlocked = () => { unmute.hidden = false; };
unmute.addEventListener("click", () => {
  call.otherVideo.muted = false;
  call.otherVideo.play().catch(() => {});
  unmute.hidden = true;
});

let room = null; // the interview.open answer
let slotSeconds = 0;
let skew = 0; // server clock minus ours, in seconds
let ended = false;
let socketSeen = null; // the websocket media was last negotiated on

function showMessage(message) {
  const mine = message.from === side;
  messages.append(el("li", { class: `iv-message ${mine ? "mine" : "theirs"}` },
    el("span", { class: "iv-from" }, mine ? t("You") : message.name),
    el("span", { class: "iv-at" }, formatTime(message.at)),
    el("p", { class: "iv-text" }, message.text)));
  messages.scrollTop = messages.scrollHeight;
}

const clockText = (s) => {
  const whole = Math.max(0, Math.floor(s));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
};

function tick() {
  if (!room) return;
  const interview = room.interview;
  const end = ended && interview.ended_at ? interview.ended_at : Date.now() / 1000 + skew;
  const elapsed = end - interview.started_at;
  const left = slotSeconds - elapsed;
  timer.textContent = `${clockText(elapsed)} / ${clockText(slotSeconds)}`;
  timer.dataset.kind = left < 0 ? "over" : left <= Math.min(120, slotSeconds / 5) ? "near" : "ok";
}

function end() {
  if (ended) return;
  ended = true;
  call.close();
  document.getElementById("iv-ended").hidden = false;
  for (const control of document.querySelectorAll(".iv-controls button, .iv-controls input, #iv-say input, #iv-say button")) {
    control.disabled = true;
  }
  stateLine.dataset.kind = "off";
  stateLine.textContent = t("The interview has ended.");
  tick();
}

async function load() {
  const ws = socket.ws;
  try {
    const [opened, ping] = await Promise.all([
      socket.send("interview.open", { interview_id: interviewId }),
      socket.send("ping"),
    ]);
    room = opened;
    skew = ping.time - Date.now() / 1000;
    slotSeconds = room.slot_seconds;
    messages.replaceChildren();
    for (const message of room.chat) showMessage(message);
  } catch (err) {
    errorLine.textContent = err.message;
    return;
  }
  const first = socketSeen === null;
  const fresh = socketSeen !== ws;
  socketSeen = ws;
  if (room.notes && first) fillNotes(room.notes); // never over unsaved typing
  tick();
  if (room.interview.ended_at) end();
  else if (walkIn) {
    stateLine.dataset.kind = "off";
    stateLine.textContent = t("A walk-in interview: no video. Take notes here.");
  } else if (first) call.start();
  else if (fresh) call.reconnect();
}

onSubmit(sayForm, async ({ text }) => {
  await change(socket, "interview.say", { interview_id: interviewId, text });
  sayForm.reset();
});
const audioOnlyBox = document.getElementById("iv-audio-only");
audioOnlyBox.checked = call.audioOnly; // remembered for the fair's interviews
audioOnlyBox.addEventListener("change", (e) => {
  call.setAudioOnly(e.target.checked).catch((err) => { errorLine.textContent = err.message; });
});

// --- weak links: each side's downlink as the server judges it (`interview.link`, to both) --------

call.onLevel = mountLevelNotice(document.querySelector(".iv-video"), async () => {
  audioOnlyBox.checked = false;
  await call.setAudioOnly(false);
}, t("The sound is failing on your connection: continue in the chat below."));
const otherLink = document.getElementById("iv-link");
const quality = document.getElementById("iv-link-quality"); // the recruiter's page only
/** Each step of the other side's link, said to this side. */
const OTHER_STEPS = side === "recruiter" ? {
  high: t("The candidate's connection is good again."),
  low: t("The candidate's connection is weak: they see a smaller picture of you."),
  audio: t("The candidate's connection is weak: video is paused, you still hear each other."),
  text: t("The candidate's sound is failing: continue in the chat below."),
} : {
  high: t("The recruiter's connection is good again."),
  low: t("The recruiter's connection is weak: they see a smaller picture of you."),
  audio: t("The recruiter's connection is weak: video is paused, you still hear each other."),
  text: t("The recruiter's sound is failing: continue in the chat below."),
};
const LEVEL_NAMES = {
  high: t("good"), low: t("weak, smaller picture"), audio: t("audio only"), text: t("chat only"),
};
const levels = {}; // side -> the last level the server named

function onLink({ side: whose, level, loss_pct: lossPct }) {
  if (!LEVELS.includes(level)) return;
  const before = levels[whose];
  levels[whose] = level;
  if (whose === side) call.setLevel(level, lossPct);
  else {
    otherLink.hidden = level === "high" && (!before || before === "high"); // nothing happened
    otherLink.dataset.level = level;
    otherLink.textContent = OTHER_STEPS[level];
    if (quality) {
      quality.hidden = false;
      quality.dataset.level = level;
      quality.textContent = `${t("The candidate's connection")}: ${LEVEL_NAMES[level]} · `
        + t("{n}% of packets lost").replace("{n}", (Number(lossPct) || 0).toFixed(1));
    }
  }
  if (level === "text" && before !== "text") toChat();
}

/** The sound fails: the chat is the way on, so bring it to hand. */
function toChat() {
  const chat = document.querySelector(".iv-chat");
  chat.dataset.attention = "true";
  chat.scrollIntoView({ block: "nearest" });
  sayForm.elements.text.focus({ preventScroll: true });
}

socket.addEventListener("state", load);
socket.addEventListener("event", ({ detail: { name, data } }) => {
  if (data?.interview_id !== interviewId) return;
  if (name === "interview.said") showMessage(data.message);
  else if (name === "interview.extended") {
    slotSeconds = room ? room.slot_seconds - room.extra_seconds + data.extra_seconds : slotSeconds;
    tick();
  } else if (name === "interview.media" && data.side !== side) call.otherMedia(data.live);
  else if (name === "interview.link") onLink(data);
  else if (name === "queue.entry" && data.state !== "interviewing") {
    if (room) room.interview.ended_at = data.ended_at;
    end();
  }
});
setInterval(tick, 1000);

// --- the recruiter's side: dossier, notes and outcome, more time, the end ------------------------

function fillNotes(notes) {
  const form = document.getElementById("iv-record");
  form.elements.notes.value = notes.notes || "";
  for (const radio of form.querySelectorAll("input[name=outcome]")) radio.checked = radio.value === notes.outcome;
}

function dossierView(d) {
  const row = (label, value) => (value ? [el("dt", {}, label), el("dd", {}, value)] : []);
  const countries = { JP: t("Japan"), KR: t("Korea"), TW: t("Taiwan"), other: t("Other") };
  return el("div", {},
    el("dl", { class: "iv-dossier-fields" },
      row(t("Full name"), d.name),
      row(t("Phone or e-mail"), d.contact),
      row(t("Birth year"), d.birth_year ? String(d.birth_year) : ""),
      row(t("Home province"), d.home_province),
      row(t("Education"), d.education),
      row(t("Skills"), d.skills.join(", ")),
      row(t("Desired job"), d.desired_job),
      row(t("Languages"), d.languages.join(", ")),
      row(t("Willing to work abroad in"), d.abroad_countries.map((c) => countries[c] || c).join(", "))),
    d.cv_url
      ? el("a", { class: "button iv-cv", href: d.cv_url, download: "" }, t("Download CV"))
      : el("p", { class: "muted" }, t("No CV uploaded yet.")));
}

async function loadDossier() {
  const body = document.getElementById("iv-dossier-body");
  if (walkIn) {
    body.textContent = t("A walk-in has no dossier.");
    return;
  }
  const response = await fetch(`/api/fairs/${page.fair}/dossiers/${root.dataset.worker}`,
    { credentials: "same-origin" }).catch(() => null);
  if (response?.ok) {
    body.classList.remove("muted");
    body.replaceChildren(dossierView(await response.json()));
  } else if (response?.status === 403) {
    body.textContent = t("This worker has not shared their dossier with your booth.");
  } else if (response?.status === 404) {
    body.textContent = t("This worker has not filled in a dossier yet.");
  } else {
    body.textContent = t("The dossier could not be loaded.");
  }
}

if (side === "recruiter") {
  loadDossier();
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "dossier.shares" && data.worker_id === root.dataset.worker) loadDossier(); // said yes, or withdrew
  });
  const form = document.getElementById("iv-record");
  onSubmit(form, async (data) => {
    const notes = await socket.send("interview.record",
      { interview_id: interviewId, outcome: data.outcome || null, notes: data.notes || "" });
    fillNotes(notes);
    document.getElementById("iv-saved").textContent = `${t("Saved.")} ${formatTime(Date.now() / 1000 + skew)}`;
  });
  document.getElementById("iv-extend").addEventListener("click", async () => {
    errorLine.textContent = "";
    try {
      const { extra_seconds: extra } = await change(socket, "interview.extend", { interview_id: interviewId, minutes: 5 });
      slotSeconds = room.slot_seconds - room.extra_seconds + extra;
      tick();
    } catch (err) {
      errorLine.textContent = err.message;
    }
  });
  document.getElementById("iv-end").addEventListener("click", async (e) => {
    errorLine.textContent = "";
    e.target.disabled = true;
    try {
      await change(socket, "queue.finish", { interview_id: interviewId });
    } catch (err) {
      errorLine.textContent = err.message;
      e.target.disabled = false;
      return;
    }
    if (room) room.interview.ended_at = Date.now() / 1000 + skew;
    end();
    backToConsole();
  });
}

/** Inside the booth console's panel, "back" closes the panel; alone, it goes to the console. */
function backToConsole() {
  if (window.parent !== window) window.parent.postMessage({ type: "interview.closed" }, location.origin);
  else location.assign(document.getElementById("iv-back").href);
}
document.getElementById("iv-back")?.addEventListener("click", (e) => {
  if (window.parent === window) return;
  e.preventDefault();
  backToConsole();
});
