// Changes carry an op id; a change whose answer was lost (the socket dropped) or whose outcome
// the server could not tell (`unavailable`: storage did not answer) is sent again with the same
// op, so the server applies it once (docs/commands.md).

let seq = 0;
const newOp = () =>
  `${Date.now().toString(36)}-${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Send a change; retries with the same op until the server answers. A refusal (an error frame
 * with any other code) is final and thrown. */
export async function change(socket, type, data) {
  const op = newOp();
  for (let attempt = 0; ; attempt++) {
    try {
      return await socket.send(type, { ...data, op });
    } catch (err) {
      if ((err.code && err.code !== "unavailable") || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
}
