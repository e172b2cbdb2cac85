// The service worker, served from the site root (/sw.js) so that it may show a notification for
// any page: it shows the server's "your turn" push (server/web_push.py; the text comes already
// translated) on a phone whose screen is off, and a tap opens (or focuses) the booth's page.
self.addEventListener("push", (event) => {
  const msg = event.data ? event.data.json() : {};
  if (!msg.title) return;
  event.waitUntil(self.registration.showNotification(msg.title, {
    body: msg.body, tag: msg.tag, renotify: true, requireInteraction: true,
    vibrate: [300, 100, 300, 100, 300], data: { url: msg.url },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url || "/";
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const here = open.find((c) => new URL(c.url).pathname === url) || open[0];
    if (here) return here.focus();
    return self.clients.openWindow(url);
  })());
});
