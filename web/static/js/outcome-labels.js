// The recruiter's outcomes of an interview, as people read them (rooms/interview_room.py Outcome).
import { t } from "./client.js";

const LABELS = {
  passed: t("Passed the qualifying round"),
  on_site: t("Invited to an on-site interview"),
  offer: t("Offer"),
  not_suitable: t("Not suitable"),
  no_show: t("No-show"),
};

/** The translated label of an outcome; "No outcome yet" for none. */
export const outcomeLabel = (outcome) => (outcome ? LABELS[outcome] || outcome : t("No outcome yet"));

/** "12 min" (at least 1) for a duration in seconds. */
export const minutesText = (seconds) => `${Math.max(1, Math.round(seconds / 60))} ${t("min")}`;
