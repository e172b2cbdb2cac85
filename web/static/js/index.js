// The fair list; service moderators can create a fair here.
import { api, onSubmit } from "./client.js";

const form = document.getElementById("new-fair");
if (form) {
  onSubmit(form, async (data) => {
    const fair = await api("POST", "/api/fairs", {
      ...data,
      starts_at: `${data.starts_at}:00`, // no offset: read on the fair's clock
      ends_at: `${data.ends_at}:00`,
    });
    location.href = `/fairs/${fair.id}/moderate`;
  });
}
