// The console's one booth picker (moderator console): the lines, the schedule, the booth's card
// and the Q&A's booth channel all follow it, so the moderator chooses a booth once.
import { el } from "./client.js";

class BoothPicker extends EventTarget {
  constructor(select) {
    super();
    this.select = select;
    this.booth = "";
    select?.addEventListener("change", () => this.pick(select.value));
  }

  /** Is there a picker on this page (the moderator console)? */
  get present() {
    return Boolean(this.select);
  }

  /** The fair's booths as options; keeps the choice, else picks the first booth. */
  fill(booths) {
    if (!this.select) return;
    this.select.replaceChildren(...booths.map((b) => el("option", { value: b.id }, b.employer)));
    const keep = booths.some((b) => b.id === this.booth);
    if (keep) this.select.value = this.booth;
    else if (booths.length) this.pick(booths[0].id);
  }

  pick(boothId) {
    this.booth = boothId;
    if (this.select) this.select.value = boothId;
    this.dispatchEvent(new Event("change"));
  }
}

export const picker = new BoothPicker(document.getElementById("booth-picker"));
