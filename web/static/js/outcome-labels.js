// The recruiter's outcomes of an interview, as people read them (rooms/interview_room.py Outcome).
import { t } from "./client.js";

const LABELS = {
  passed: "Passed the qualifying round",
  on_site: "Invited to an on-site interview",
  offer: "Offer",
  not_suitable: "Not suitable",
  no_show: "No-show",
};

/** The translated label of an outcome; "No outcome yet" for none. */
export const outcomeLabel = (outcome) => (outcome ? t(LABELS[outcome] || outcome) : t("No outcome yet"));

/** "12 min" (at least 1) for a duration in seconds. */
export const minutesText = (seconds) => `${Math.max(1, Math.round(seconds / 60))} ${t("min")}`;
