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

/** "12 min" for a duration in seconds; under a minute, the seconds ("8 s", never "1 min"). */
export const minutesText = (seconds) => (seconds < 60
  ? `${Math.max(0, Math.round(seconds))} ${t("s")}`
  : `${Math.round(seconds / 60)} ${t("min")}`);
