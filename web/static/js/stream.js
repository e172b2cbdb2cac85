// Booth streams in the browser: the recruiter publishes, workers view. Complete SDP offers
// (ICE gathered before sending), signalled over the fair websocket.
import { t } from "./client.js";

export const iceServers = JSON.parse(document.getElementById("ice-servers")?.textContent || "[]");
const GATHER_TIMEOUT_MS = 3000;
// A weak link (bench/weaklink.py: 400 kbit/s, 3% loss) decodes ~0 frames a second of the ~1 Mbps
// stream, and the video's lost packets and retransmissions crowd out the audio (~20% concealed);
// in audio only the audio is clean. So when video stays poor, suggest audio only: checked every
// QUALITY_EVERY_MS, "poor" is under POOR_FPS decoded with over POOR_LOSS of the packets lost (loss
// too, so that a still shared screen, which sends few frames, is not taken for a bad link),
// POOR_CHECKS times in a row.
const QUALITY_EVERY_MS = 2000;
const POOR_FPS = 10;
const POOR_LOSS = 0.05;
const POOR_CHECKS = 3;
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

async function videoCounters(pc) {
  let counters = null;
  (await pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      counters = { t: s.timestamp, decoded: s.framesDecoded || 0, lost: s.packetsLost || 0, received: s.packetsReceived || 0 };
    }
  });
  return counters;
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

/** A worker watching a booth. `onState(kind, text)`: connecting | live | paused | offline | reconnecting | error.
 * `onPoorVideo(poor)`: the video has stopped (or resumed) getting through while not audio only. */
export class BoothViewer {
  constructor(socket, boothId, video, onState, onPoorVideo = () => {}) {
    Object.assign(this, { socket, boothId, video, onState, onPoorVideo });
    this.pc = null;
    this.audioOnly = false;
    this.attempt = 0;
    this.poorVideo = false;
    this.qualityTimer = null;
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
    });
  }

  get live() { return Boolean(this.socket.state?.streams[this.boothId]); }

  get paused() { return this.socket.state?.streams[this.boothId]?.paused ? this.socket.state.streams[this.boothId] : null; }

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
    this.stopWatchingVideo();
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
        this.watchVideo(pc);
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
    else this.onState("live", this.audioOnly ? t("audio only") : t("LIVE"));
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

  /** Every QUALITY_EVERY_MS, judge the last interval's video; see POOR_CHECKS. */
  watchVideo(pc) {
    this.stopWatchingVideo();
    let last = null;
    let poorChecks = 0;
    this.qualityTimer = setInterval(async () => {
      const now = this.audioOnly ? null : await videoCounters(pc);
      if (pc !== this.pc) return;
      if (now && last && now.t > last.t) {
        const fps = ((now.decoded - last.decoded) * 1000) / (now.t - last.t);
        const lost = now.lost - last.lost;
        const poor = fps < POOR_FPS && lost > POOR_LOSS * (lost + now.received - last.received);
        poorChecks = poor ? poorChecks + 1 : 0;
        if (poorChecks >= POOR_CHECKS) this.setPoorVideo(true);
        else if (fps >= POOR_FPS) this.setPoorVideo(false);
      } else if (!now) {
        poorChecks = 0;
      }
      last = now;
    }, QUALITY_EVERY_MS);
  }

  stopWatchingVideo() {
    clearInterval(this.qualityTimer);
    this.qualityTimer = null;
    this.setPoorVideo(false);
  }

  setPoorVideo(poor) {
    if (poor === this.poorVideo) return;
    this.poorVideo = poor;
    this.onPoorVideo(poor);
  }

  async setAudioOnly(on) {
    this.audioOnly = on;
    if (on) this.setPoorVideo(false);
    if (this.pc?.connectionState === "connected") {
      await this.socket.send("stream.audio_only", { booth_id: this.boothId, on });
      this.showConnected();
    }
  }
}

/** What the recruiter sends. There is no simulcast: every viewer gets this one stream, so a booth
 * whose audience is on weak rural links (about 400 kbit/s) goes "low bandwidth" (docs/weak-links.md). */
const PROFILES = {
  normal: { width: 640, height: 360, frameRate: 30, maxBitrate: 1_000_000 },
  low: { width: 320, height: 180, frameRate: 24, maxBitrate: 250_000 },
};

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
    for (const track of this.media.getTracks()) {
      const transceiver = pc.addTransceiver(track, {
        direction: "sendonly",
        streams: [this.media],
        sendEncodings: track.kind === "video" ? [{ maxBitrate: this.profile.maxBitrate }] : undefined,
      });
      preferCodec(transceiver, track.kind === "video" ? "video/vp8" : "audio/opus");
    }
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
    this.pc?.close();
    this.pc = null;
    for (const track of this.media?.getTracks() || []) track.stop();
    this.media = null;
    this.selfView.srcObject = null;
    this.onState("offline", text);
  }

  async stop() {
    this.wanted = false;
    if (this.signal.stop) await this.socket.send(...this.signal.stop).catch(() => {});
    this.pc?.close();
    this.pc = null;
    for (const track of this.media?.getTracks() || []) track.stop();
    this.media = null;
    this.selfView.srcObject = null;
    this.onState("offline", t("offline"));
  }
}
