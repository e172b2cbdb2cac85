// The fair's main stage in the lobby: on top while it is live, with who presents ("now
// presenting: Company X"); for its speakers and moderators, going live, ending, and inviting a
// booth's recruiter to take over (viewers keep their connection through every hand-over).
import { el, page, t } from "./client.js";
import { mountLevelNotice } from "./link-level.js";
import { BoothPublisher, BoothViewer, STAGE } from "./stream.js";

const { socket } = await import(`./${page.page}.js`);
const $ = (id) => document.getElementById(id);
const stage = $("main-stage");
const area = $("stage-area");
const unmute = $("stage-unmute");

export const viewer = new BoothViewer(socket, "stage", $("stage-video"), (kind, text) => {
  const line = $("stage-state");
  line.dataset.kind = kind;
  line.textContent = kind === "live" && !viewer.videoStopped ? "" : text; // "LIVE" is on the badge
  unmute.hidden = kind !== "muted";
});
viewer.onLevel = mountLevelNotice(stage.querySelector(".video-wrap"), () => viewer.tryVideoAgain(),
  t("Your connection is too weak even for the sound. Questions and polls below still work."));
const audioOnly = $("stage-audio-only");
audioOnly.checked = viewer.audioOnly; // remembered for the fair
audioOnly.addEventListener("change", (e) => viewer.setAudioOnly(e.target.checked));
unmute.addEventListener("click", () => viewer.unmute());

function render() {
  const live = socket.state?.streams.stage;
  stage.hidden = !live;
  // off the air, attendees see the booths first; the stage's hosts keep their card and its Q&A
  area.hidden = !live && !$("stage-host");
  const presenting = live?.presenting && socket.state.booths.find((b) => b.id === live.presenting);
  $("stage-presenting").hidden = !presenting;
  $("stage-presenting").textContent = presenting ? `${t("Now presenting")}: ${presenting.employer}` : "";
  const invite = $("stage-invite");
  if (invite) {
    const select = invite.elements.booth_id;
    const guest = socket.state?.stage_guest || "";
    select.replaceChildren(el("option", { value: "" }, t("Nobody")),
      ...(socket.state?.booths || []).map((b) => el("option", { value: b.id }, b.employer)));
    select.value = guest;
  }
}
socket.addEventListener("state", render);
socket.addEventListener("event", ({ detail: { name } }) => {
  if (name.startsWith("stream.") || name.startsWith("stage.") || name.startsWith("booth.")) render();
});
render();

const host = $("stage-host");
if (host) {
  const [goLive, stop, error] = ["stage-go-live", "stage-stop", "stage-error"].map($);
  const publisher = new BoothPublisher(socket, "stage", $("stage-self"), (kind, text) => {
    const line = $("stage-host-state");
    line.dataset.kind = kind;
    line.textContent = text;
    const on = kind !== "offline" && kind !== "error";
    goLive.hidden = on;
    stop.hidden = !on;
  }, STAGE);
  socket.addEventListener("event", ({ detail: { name, data } }) => {
    if (name === "stream.handed_over" && data.booth_id === "stage" && data.presenting && publisher.pc) {
      publisher.yielded(t("Handed over: the invited booth is presenting."));
    }
  });
  goLive.addEventListener("click", () => publisher.start());
  stop.addEventListener("click", () => publisher.stop());
  $("stage-invite").addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const booth = e.target.elements.booth_id.value || null;
    try {
      await socket.send("stage.invite", { booth_id: booth });
    } catch (err) {
      error.textContent = err.message;
    }
  });
}
