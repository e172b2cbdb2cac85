// The recruiter's booth console: booth details, logo and job postings.
import { FairSocket, api, onSubmit, page } from "./client.js";
import { mountJobsEditor } from "./jobs-editor.js";

export const socket = new FairSocket(page.fair);
const boothPath = `/api/fairs/${page.fair}/booths/${page.booth}`;

onSubmit(document.getElementById("booth-form"), (data) => api("PATCH", boothPath, data));
onSubmit(document.getElementById("logo-form"), async () => {
  const file = document.querySelector("#logo-form input[type=file]").files[0];
  if (file) await api("PUT", `${boothPath}/logo`, file, "application/octet-stream");
});
mountJobsEditor(document.getElementById("jobs-editor"), socket, page.booth);
