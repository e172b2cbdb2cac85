// Booth streams in the browser: the recruiter publishes, workers view. Complete SDP offers
// (ICE gathered before sending), signalled over the fair websocket.
import { page, t } from "./client.js";

export const iceServers = JSON.parse(document.getElementById("ice-servers")?.textContent || "[]");
const GATHER_TIMEOUT_MS = 3000;
/** Why this browser cannot stream, or null. */
export function webrtcProblem({ camera = false } = {}) {
  if (!window.RTCPeerConnection) return t("This browser cannot play live video (no WebRTC).");
  if (camera && !window.isSecureContext) {
    return t("The camera needs a secure page: open this site over HTTPS (or on localhost).");
  }
  if (camera && !navigator.mediaDevices?.getUserMedia) return t("This browser gives no access to a camera.");
  return null;
}

export async function offerWhenGathered(pc) {
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== "complete") {
    await new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, GATHER_TIMEOUT_MS);
    });
  }
  return pc.localDescription.sdp;
}

/** A connection that receives audio and video into `video` and starts it with `play()`. */
export function receivingPeer(video, play) {
  const pc = new RTCPeerConnection({ iceServers });
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const media = new MediaStream();
  pc.ontrack = ({ track }) => {
    media.addTrack(track);
    if (video.srcObject !== media) {
      video.srcObject = media;
      play();
    }
  };
  return pc;
}

/** Play `video` with sound; a browser that refuses sound before the user touched the page gets
 * it muted, and `onBlocked()` lets the page offer a button that unmutes. */
export function playWithSound(video, onBlocked) {
  video.play().catch((err) => {
    if (err.name !== "NotAllowedError") return;
    video.muted = true;
    video.play().catch(() => {});
    onBlocked();
  });
}

export function preferCodec(transceiver, mimeType) {
  const codecs = RTCRtpReceiver.getCapabilities?.(transceiver.receiver.track.kind)?.codecs;
  if (!codecs || !transceiver.setCodecPreferences) return;
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === mimeType);
  if (first.length) transceiver.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
}

/** Why a stream went offline, by the code the server sends (rooms/streams.py OfflineReason). */
const OFFLINE_REASONS = {
  left: t("The recruiter left."),
  restarted: t("The recruiter is restarting the stream."),
  stopped_by_recruiter: t("The recruiter ended the stream."),
  stopped_by_moderator: t("A moderator stopped the stream."),
  server_restarting: t("The server is restarting."),
  server_lost: t("The server carrying the stream stopped."),
};

/** What viewers of a paused stream read, by its reason code (rooms/streams.py PauseReason). */
export function pausedText(stream) {
  const minutes = Math.max(1, Math.ceil(((stream.back_at || 0) - Date.now() / 1000) / 60));
  return t("The recruiter is interviewing — back in about {n} minutes. You can still join the line and ask questions.")
    .replace("{n}", minutes);
}

/** A yes/no choice remembered on this device under `key` (localStorage; a browser that refuses
 * storage, as a private window may, keeps it for the page only). */
export function remembered(key) {
  return {
    get() {
      try {
        return localStorage.getItem(key) === "1";
      } catch {
        return false;
      }
    },
    set(on) {
      try {
        if (on) localStorage.setItem(key, "1");
        else localStorage.removeItem(key);
      } catch {
        // not remembered; the choice still holds for this page
      }
    },
  };
}

/** Audio only chosen by hand on a booth or the stage, remembered per fair: a worker who saves
 * data once keeps saving it on every stream of the fair, across reloads. */
export const handAudioOnly = remembered(`jobfair.audio-only.${page.fair}`);

/** The levels the server moves a viewer between, from that viewer's RTCP (docs/rtc.md): the
 * publisher's large layer, its small one, audio only (the server stopped the video), text (even
 * the audio fails). */
export const LEVELS = ["high", "low", "audio", "text"];

/** A worker watching a booth. `onState(kind, text)`: connecting | live | paused | offline | reconnecting | error.
 * `onLevel({level, lossPct, byHand})`: what the server now sends this viewer (`stream.level`), null
 * while not connected; `byHand`: audio only was chosen here, so a weak-link notice is not needed. */
export class BoothViewer {
  constructor(socket, boothId, video, onState) {
    Object.assign(this, { socket, boothId, video, onState });
    this.onLevel = () => {};
    this.pc = null;
    this.audioOnly = handAudioOnly.get();
    this.level = null;
    this.lossPct = 0;
    this.attempt = 0;
    socket.addEventListener("welcome", () => {
      // a new websocket: the server ended the old viewing leg; "state" follows and reconnects
      this.pc?.close();
      this.pc = null;
    });
    socket.addEventListener("state", () => this.sync());
    socket.addEventListener("event", ({ detail: { name, data } }) => {
      if (data?.booth_id !== boothId) return;
      if (name === "stream.live") this.connect();
      if (name === "stream.offline") this.offline(data.reason);
      // paused or resumed at the server: the connection stays, only the card changes
      if (name === "stream.paused" || name === "stream.resumed") this.showConnected();
      // about this page's own connection only: the same person's other tab or phone gets theirs
      const mine = data.connection === this.socket.you?.connection;
      if (name === "stream.level" && this.pc && mine) this.setLevel(data.level, data.loss_pct);
    });
  }

  get live() { return Boolean(this.socket.state?.streams[this.boothId]); }

  get paused() { return this.socket.state?.streams[this.boothId]?.paused ? this.socket.state.streams[this.boothId] : null; }

  /** The server stopped this viewer's video (or more): audio only, whoever chose it. */
  get videoStopped() { return this.audioOnly || this.level === "audio" || this.level === "text"; }

  sync() {
    if (!this.live) this.offline();
    else if (!this.pc || ["failed", "closed"].includes(this.pc.connectionState)) this.connect();
  }

  /** Offline, saying why by the server's code (never its English reason). */
  offline(code) {
    this.close();
    const why = OFFLINE_REASONS[code];
    this.onState("offline", why ? `${t("The booth is offline.")} ${why}` : t("The booth is offline."));
  }

  /** Close the connection; `tell` the server too (a new view replaces the old one anyway). */
  close(tell = true) {
    this.setLevel(null);
    if (this.pc) {
      this.pc.close();
      this.pc = null;
      if (tell) this.socket.send("stream.leave", { booth_id: this.boothId }).catch(() => {});
    }
  }

  async connect() {
    const problem = webrtcProblem();
    if (problem) return this.onState("error", problem);
    this.close(false);
    const pc = receivingPeer(this.video, () =>
      playWithSound(this.video, () => this.onState("muted", t("LIVE"))));
    this.pc = pc;
    this.onState("connecting", t("connecting…"));
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === "connected") {
        this.attempt = 0;
        this.showConnected();
      } else if (pc.connectionState === "failed") {
        this.retry();
      }
    };
    try {
      const sdp = await offerWhenGathered(pc);
      const answer = await this.socket.send("stream.view", { booth_id: this.boothId, sdp, audio_only: this.audioOnly });
      if (pc === this.pc) await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      if (pc === this.pc) this.retry(err.message);
    }
  }

  /** The state line of a connected viewer: paused (with when the recruiter is back), muted or live. */
  showConnected() {
    if (this.pc?.connectionState !== "connected") return;
    const paused = this.paused;
    if (paused) this.onState("paused", pausedText(paused));
    else if (this.video.muted) this.onState("muted", t("LIVE"));
    else this.onState("live", this.videoStopped ? t("audio only") : t("LIVE"));
  }

  unmute() {
    this.video.muted = false;
    this.video.play().catch(() => {});
    this.showConnected();
  }

  retry(message) {
    if (!this.live) return this.offline();
    this.onState("reconnecting", message || t("reconnecting…"));
    const delay = Math.min(1000 * 2 ** this.attempt++, 10000);
    setTimeout(() => { if (this.live) this.connect(); }, delay);
  }

  setLevel(level, lossPct = 0) {
    this.level = LEVELS.includes(level) ? level : null;
    this.lossPct = Number(lossPct) || 0;
    this.onLevel(this.level && { level: this.level, lossPct: this.lossPct, byHand: this.audioOnly });
    this.showConnected();
  }

  /** Audio only by hand (remembered for the fair), or video again. */
  async setAudioOnly(on) {
    this.audioOnly = on;
    handAudioOnly.set(on);
    if (this.pc?.connectionState === "connected") {
      await this.socket.send("stream.audio_only", { booth_id: this.boothId, on });
    }
    this.setLevel(this.level, this.lossPct);
  }

  /** After the server stopped the video on a weak link: ask for it again (the server starts
   * with the small layer and stops it again if the link still cannot carry it). */
  async tryVideoAgain() {
    await this.setAudioOnly(false);
  }
}

/** What the recruiter sends. Normally two video layers: the camera at 640×360 and a small copy
 * for viewers on weak links, the server forwarding one per viewer (docs/weak-links.md). A "low
 * bandwidth booth" sends only a small one, which every viewer gets. */
const PROFILES = {
  normal: { width: 640, height: 360, frameRate: 30, maxBitrate: 1_000_000, lowLayer: true },
  low: { width: 320, height: 180, frameRate: 24, maxBitrate: 250_000, lowLayer: false },
};
/** The small layer: what a 400 kbit/s link with 3% loss carries at full frame rate, audio beside
 * it (bench/weaklink.py). Encoding it costs the publisher about a quarter of the large one. */
export const LOW_LAYER = { width: 320, height: 180, maxBitrate: 200_000 };

/** A small copy of `track` for the low layer, or null when this browser cannot make one (then
 * the publisher sends one layer, and every viewer gets it). */
export async function lowLayerOf(track) {
  if (!track?.clone) return null;
  const small = track.clone();
  try {
    await small.applyConstraints({ width: { ideal: LOW_LAYER.width }, height: { ideal: LOW_LAYER.height } });
    return small;
  } catch (err) {
    console.info("one video layer only:", err.message);
    small.stop();
    return null;
  }
}

/** Add `media`'s tracks to `pc`, sendonly: its video capped at `maxBitrate`, then `low` (a small
 * copy, or null) capped at LOW_LAYER's; the server takes the video sections in this order, large
 * first (docs/rtc.md), then audio. */
export function addSending(pc, media, maxBitrate, low) {
  const send = (track, encoding) => {
    const transceiver = pc.addTransceiver(track, {
      direction: "sendonly",
      streams: [media],
      sendEncodings: encoding ? [encoding] : undefined,
    });
    preferCodec(transceiver, track.kind === "video" ? "video/vp8" : "audio/opus");
  };
  for (const track of media.getVideoTracks()) send(track, { maxBitrate });
  if (low) send(low, { maxBitrate: LOW_LAYER.maxBitrate });
  for (const track of media.getAudioTracks()) send(track, null);
}

/** How a publisher goes live and stops: a booth's recruiter by default; the main stage's
 * speakers (`STAGE`) and an invited booth's recruiter (`presentOnStage`) through a hand-over. */
const BOOTH = (boothId) => ({
  publish: (sdp) => ["stream.publish", { booth_id: boothId, sdp }],
  stop: ["stream.stop", { booth_id: boothId }],
});
export const STAGE = {
  publish: (sdp) => ["stage.publish", { sdp }],
  stop: ["stage.stop", {}],
};
export const presentOnStage = (boothId) => ({
  publish: (sdp) => ["stage.present", { booth_id: boothId, sdp }],
  stop: null, // the stage's host takes it back
});

/** A recruiter going live from the booth console, with camera or screen, and microphone. */
export class BoothPublisher {
  constructor(socket, boothId, selfView, onState, signal = BOOTH(boothId)) {
    Object.assign(this, { socket, boothId, selfView, onState, signal });
    this.pc = null;
    this.media = null;
    this.low = null; // the small layer's track, if sent
    this.wanted = false;
    socket.addEventListener("welcome", () => {
      // a new websocket: the server ended the old publication when the old socket closed
      if (this.wanted) this.negotiate();
    });
  }

  async start({ screen = false } = {}) {
    const problem = webrtcProblem({ camera: true });
    if (problem) return this.onState("error", problem);
    try {
      this.media = await this.capture(screen);
    } catch (err) {
      const refused = err.name === "NotAllowedError" || err.name === "SecurityError";
      return this.onState("error", refused ? t("Camera or microphone access was refused.") : err.message);
    }
    this.low = this.profile.lowLayer ? await lowLayerOf(this.media.getVideoTracks()[0]) : null;
    this.selfView.srcObject = this.media;
    this.selfView.muted = true;
    this.selfView.play().catch(() => {});
    this.wanted = true;
    await this.negotiate();
  }

  get profile() {
    const booth = this.socket.state?.booths.find((b) => b.id === this.boothId);
    return booth?.low_bandwidth ? PROFILES.low : PROFILES.normal;
  }

  async capture(screen) {
    const audio = { echoCancellation: true, noiseSuppression: true };
    const { width, height, frameRate } = this.profile;
    if (!screen) {
      return navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: frameRate } },
        audio,
      });
    }
    const display = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } } });
    const mic = await navigator.mediaDevices.getUserMedia({ audio });
    return new MediaStream([...display.getVideoTracks(), ...mic.getAudioTracks()]);
  }

  async negotiate() {
    this.pc?.close();
    const pc = new RTCPeerConnection({ iceServers });
    this.pc = pc;
    this.onState("connecting", t("connecting…"));
    addSending(pc, this.media, this.profile.maxBitrate, this.low);
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === "connected") this.onState("live", t("LIVE"));
      if (pc.connectionState === "failed" && this.wanted) {
        this.onState("reconnecting", t("reconnecting…"));
        setTimeout(() => this.wanted && pc === this.pc && this.negotiate(), 2000);
      }
    };
    try {
      const sdp = await offerWhenGathered(pc);
      const answer = await this.socket.send(...this.signal.publish(sdp));
      if (pc === this.pc) await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    } catch (err) {
      if (pc !== this.pc) return;
      if (err.code === "codec_mismatch" || err.code === "forbidden") {
        this.wanted = false; // another attempt would be refused alike
        this.onState("error", err.message);
      } else this.onState("reconnecting", err.message);
    }
  }

  /** Another presenter took the stream over (the server closed this one's media): stop without
   * trying again, keeping the camera for a later start. */
  yielded(text) {
    this.wanted = false;
    this.release();
    this.onState("offline", text);
  }

  /** Close the connection and let go of the camera (the small layer's copy too). */
  release() {
    this.pc?.close();
    this.pc = null;
    for (const track of [...(this.media?.getTracks() || []), this.low]) track?.stop();
    this.media = this.low = null;
    this.selfView.srcObject = null;
  }

  async stop() {
    this.wanted = false;
    if (this.signal.stop) await this.socket.send(...this.signal.stop).catch(() => {});
    this.release();
    this.onState("offline", t("offline"));
  }
}
