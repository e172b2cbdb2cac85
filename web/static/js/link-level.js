// What a viewer reads about their own link, from the level the server moved them to
// (`stream.level`, docs/weak-links.md): on the small layer a quiet label over the video; when the
// server stopped the video, a notice saying so with a button to try video again; when even the
// sound fails, what still works.
import { el, t } from "./client.js";

/** Put the label over `wrap` (a .video-wrap) and the notice right under it (over a phone's
 * short 16:9 picture it would hide the state line); returns what the viewer calls with
 * each level (BoothViewer.onLevel). `tryVideo()` asks the server for video again; `textHint` says
 * what still works when the sound fails. */
export function mountLevelNotice(wrap, tryVideo, textHint) {
  const label = el("span", { class: "link-level", hidden: true }, t("Weak connection: smaller picture"));
  const text = el("p", {});
  const again = el("button", { type: "button", class: "link-try-video" }, t("Try video again"));
  const notice = el("div", { class: "link-notice", role: "status", hidden: true }, text, again);
  wrap.append(label);
  wrap.after(notice);
  again.addEventListener("click", async () => {
    again.disabled = true;
    again.textContent = t("Trying video again…");
    try {
      await tryVideo();
    } catch {
      again.disabled = false; // not sent (reconnecting): the button works again
      again.textContent = t("Try video again");
    }
  });
  return (state) => {
    const level = state && !state.byHand ? state.level : null;
    label.hidden = level !== "low";
    notice.hidden = level !== "audio" && level !== "text";
    notice.dataset.level = level || "";
    text.textContent = level === "text" ? textHint
      : t("Your connection is too weak for video right now: you still hear everything (audio only).");
    again.hidden = level !== "audio";
    again.disabled = false;
    again.textContent = t("Try video again");
  };
}
