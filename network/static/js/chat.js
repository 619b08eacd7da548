/* Live workshop chat: a small client for the /chat Socket.IO namespace, no framework.
 *
 * Guarantees kept here: every message is shown once (keyed by its server id), a message the
 * user wrote is kept and re-sent with the same UUID until the server acknowledges it, and after
 * a reconnect the client asks for everything after the last id it has seen. All text from the
 * server is put on the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root || typeof io !== "function") { return; }
  root.hidden = false;

  var T = JSON.parse(document.getElementById("chat-strings").textContent);
  var roomId = parseInt(root.dataset.roomId, 10);
  var canManage = root.dataset.canManage === "true";
  var maxLength = parseInt(root.dataset.maxLength, 10) || 4000;
  var ACK_TIMEOUT = 10000;
  var RETRYABLE = ["rate_limited", "not_joined", "server_error", "unavailable"];

  var $ = function (id) { return document.getElementById(id); };
  var log = $("chat-log"), announcer = $("chat-announcer"), input = $("chat-input");
  var form = $("chat-form"), older = $("chat-older"), errorBox = $("chat-error");
  var connectionText = $("chat-connection-text"), handButton = $("chat-hand");

  var shown = new Map();      // server id -> <li>
  var pending = new Map();    // client uuid -> {body, li}
  var lastId = 0, firstId = null, me = null, roomOpen = true, myHandRaised = false;
  var myVote = null, currentPoll = null, joined = false;

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function announce(text) {
    // A fresh node per announcement; old ones are trimmed so the region stays small.
    announcer.appendChild(el("p", null, text));
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  function showError(text) {
    errorBox.textContent = text || "";
  }

  function setConnection(text, state) {
    connectionText.textContent = text;
    root.dataset.connection = state;
  }

  function setRoomOpen(open) {
    roomOpen = open;
    $("chat-room-state").hidden = open;
    input.disabled = !open; $("chat-send").disabled = !open;
    handButton.disabled = !open && !myHandRaised;
  }

  // -- messages -------------------------------------------------------------------------------

  function authorName(m) {
    if (m.kind === "system") { return T.system; }
    return m.author ? m.author.name : T.former;
  }

  // The author's name, as a link to their profile when the server sent one (it does only when
  // the members receiving the message may open it); a same-site path, nothing else.
  function authorNode(m) {
    var url = m.kind !== "system" && m.author && m.author.profile_url;
    var strong = el("strong");
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.indexOf("\\") < 0) {
      var link = el("a", "author", authorName(m));
      link.href = url;
      strong.appendChild(link);
    } else {
      strong.textContent = authorName(m);
    }
    return strong;
  }

  function timeText(iso) {
    var d = new Date(iso);
    return d.toLocaleTimeString(document.documentElement.lang || "sv", { hour: "2-digit", minute: "2-digit" });
  }

  function renderMessage(m) {
    var li = el("li", "chat-message" + (m.kind === "system" ? " chat-system" : ""));
    li.id = "m" + m.id;
    li.dataset.id = m.id;
    var meta = el("span", "chat-meta");
    meta.appendChild(authorNode(m));
    var time = el("time", null, timeText(m.created_at));
    time.dateTime = m.created_at;
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(el("p", "chat-text", m.body));
    if (m.removed) { markRemoved(li); }
    else if (canManage && m.kind !== "system") {
      var remove = el("button", "link-button chat-remove", T.remove);
      remove.type = "button";
      remove.setAttribute("aria-label", fmt(T.removeLabel, { name: authorName(m) }));
      remove.addEventListener("click", function () {
        if (window.confirm(T.confirmRemove)) {
          call("remove", { message_id: m.id });
        }
      });
      li.appendChild(remove);
    }
    return li;
  }

  function markRemoved(li) {
    li.classList.add("chat-removed");
    var text = li.querySelector(".chat-text");
    text.textContent = T.removed;
    var button = li.querySelector(".chat-remove");
    if (button) {
      if (button === document.activeElement) { log.focus(); }
      button.remove();
    }
  }

  function addMessages(list, opts) {
    opts = opts || {};
    var anchor = opts.prepend ? log.firstChild : null;
    list.forEach(function (m) {
      if (shown.has(m.id)) { return; }
      if (m.client_uuid && pending.has(m.client_uuid)) {
        var p = pending.get(m.client_uuid);
        pending.delete(m.client_uuid);
        p.li.remove();
      }
      var li = renderMessage(m);
      shown.set(m.id, li);
      if (opts.prepend) { log.insertBefore(li, anchor); }
      else { insertInOrder(li, m.id); }
      lastId = Math.max(lastId, m.id);
      firstId = firstId === null ? m.id : Math.min(firstId, m.id);
      if (opts.announce && !(me && m.author && m.author.id === me.id)) {
        announce(fmt(T.newMessage, { name: authorName(m), text: m.body }));
      }
    });
    if (!opts.prepend) { log.scrollTop = log.scrollHeight; }
  }

  function insertInOrder(li, id) {
    // Messages arrive in id order almost always; walk back past any with a larger id.
    var node = log.lastChild;
    while (node && (node.classList.contains("chat-pending") || parseInt(node.dataset.id, 10) > id)) {
      node = node.previousSibling;
    }
    log.insertBefore(li, node ? node.nextSibling : log.firstChild);
  }

  // -- sending --------------------------------------------------------------------------------

  var socket = io("/chat", { reconnectionDelayMax: 5000 });

  function call(event, data, done) {
    data = Object.assign({ room_id: roomId }, data || {});
    socket.timeout(ACK_TIMEOUT).emit(event, data, function (err, answer) {
      if (err) { if (done) { done(null); } return; }
      if (answer && answer.ok === false) { showError(answer.message); }
      else { showError(""); }
      if (done) { done(answer); }
    });
  }

  function addPending(body, uuid) {
    var li = el("li", "chat-message chat-pending");
    var meta = el("span", "chat-meta");
    meta.appendChild(el("strong", null, me ? me.name : T.you));
    meta.appendChild(document.createTextNode(" " + T.pending));
    li.appendChild(meta);
    li.appendChild(el("p", "chat-text", body));
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    pending.set(uuid, { body: body, li: li });
  }

  // Sends go out one at a time, oldest first: the next leaves only when the server has
  // acknowledged the one before, so messages are stored in the order they were written even
  // across a reconnect to another server process. A send that failed for a passing reason stays
  // at the head of the queue and is tried again with the same UUID (the server stores it once).
  var queue = [];             // client uuids not yet acknowledged, in writing order
  var inFlight = false;
  var generation = 0;         // bumped on disconnect: answers meant for the old socket are ignored

  function pump(delay) {
    if (delay) { window.setTimeout(pump, delay); return; }
    if (inFlight || !queue.length || !socket.connected || !joined) { return; }
    var uuid = queue[0], p = pending.get(uuid), sentIn = generation;
    inFlight = true;
    call("send", { client_uuid: uuid, body: p.body }, function (answer) {
      if (sentIn !== generation) { return; }
      inFlight = false;
      if (answer === null) { pump(3000); return; }  // no answer in time: the same UUID again
      if (!answer.ok && RETRYABLE.indexOf(answer.code) !== -1) {
        pump(answer.code === "rate_limited" || answer.code === "unavailable" ? 5000 : 1000);
        return;
      }
      queue.shift();
      if (answer.ok) {
        // The broadcast may not have reached us yet (or was missed): fetch what we lack.
        if (!shown.has(answer.id)) { catchUp(); }
      } else if (pending.has(uuid)) {
        pending.delete(uuid);
        p.li.remove();
        if (!input.value) { input.value = p.body; updateCount(); }
      }
      pump();
    });
  }

  function submit() {
    var body = input.value.trim();
    if (!body || !roomOpen) { return; }
    if (body.length > maxLength) { showError(T.tooLong); return; }
    var uuid = newUuid();
    addPending(body, uuid);
    queue.push(uuid);
    input.value = "";
    updateCount();
    pump();
    input.focus();
  }

  function updateCount() {
    var left = maxLength - input.value.length;
    $("chat-input-count").textContent = left < 500 ? fmt(T.charsLeft, { n: left }) : "";
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  input.addEventListener("input", updateCount);

  older.addEventListener("click", function () {
    if (firstId === null) { return; }
    call("history", { before_id: firstId }, function (answer) {
      if (!answer || !answer.ok) { return; }
      addMessages(answer.messages.slice().reverse(), { prepend: true });
      older.hidden = !answer.more_before;
      if (older.hidden) { log.focus(); }
    });
  });

  // -- joining and catching up ----------------------------------------------------------------

  function catchUp() {
    call("catch_up", { after_id: lastId }, function (answer) {
      if (!answer || !answer.ok) { return; }
      addMessages(answer.messages, { announce: true });
      if (answer.more_after) { catchUp(); }
    });
  }

  function join() {
    var data = lastId > 0 ? { last_id: lastId } : {};
    call("join", data, function (answer) {
      if (!answer || !answer.ok) { return; }
      joined = true;
      me = answer.me;
      canManage = answer.me.can_manage;
      var firstJoin = lastId === 0;
      addMessages(answer.messages, { announce: !firstJoin });
      answer.removed_ids.forEach(function (id) { if (shown.has(id)) { markRemoved(shown.get(id)); } });
      if (firstJoin) { older.hidden = !answer.more_before; }
      if (answer.more_after) { catchUp(); }
      setRoomOpen(answer.room.status === "open");
      showPrompt(answer.room.prompt, false);
      myVote = answer.my_vote;
      showPoll(answer.poll);
      showHands(answer.hands);
      showPresence(answer.presence);
      pump();
    });
  }

  socket.on("connect", function () { setConnection(T.connected, "connected"); join(); });
  socket.on("disconnect", function () {
    joined = false; inFlight = false; generation += 1;
    setConnection(T.reconnecting, "reconnecting");
  });
  socket.on("connect_error", function () { setConnection(T.offline, "offline"); });

  socket.on("message", function (m) { if (m.room_id === roomId) { addMessages([m], { announce: true }); } });
  socket.on("removed", function (d) {
    if (d.room_id === roomId && shown.has(d.id)) { markRemoved(shown.get(d.id)); }
  });
  socket.on("chat_error", function (d) { if (!d.room_id || d.room_id === roomId) { showError(d.message); } });
  socket.on("room_status", function (d) {
    if (d.room_id !== roomId) { return; }
    setRoomOpen(d.status === "open");
    announce(d.status === "open" ? T.roomOpened : T.roomClosed);
  });

  window.setInterval(function () { if (socket.connected && joined) { call("presence_ping"); } }, 30000);

  // -- pinned prompt --------------------------------------------------------------------------

  function showPrompt(text, tell) {
    $("chat-prompt-section").hidden = !text;
    $("chat-prompt").textContent = text || "";
    var pin = $("chat-pin-text");
    if (pin && document.activeElement !== pin) { pin.value = text || ""; }
    if (tell && text) { announce(fmt(T.promptChanged, { text: text })); }
  }
  socket.on("prompt", function (d) { if (d.room_id === roomId) { showPrompt(d.text, true); } });
  if ($("chat-pin-form")) {
    $("chat-pin-form").addEventListener("submit", function (e) {
      e.preventDefault();
      call("pin", { text: $("chat-pin-text").value });
    });
  }

  // -- poll -----------------------------------------------------------------------------------

  function showPoll(poll) {
    var box = $("chat-poll");
    var hadFocus = box.contains(document.activeElement);
    box.textContent = "";
    currentPoll = poll;
    if (!poll) { box.appendChild(el("p", "muted", T.noPoll)); return; }
    var fieldset = el("fieldset", "chat-poll");
    fieldset.appendChild(el("legend", null, poll.question));
    var results = el("ul", "chat-poll-results");
    poll.options.forEach(function (o) {
      var li = el("li");
      var label = o.label + ": " + fmt(T.votes, { n: o.votes });
      if (o.id === myVote) { label += " (" + T.yourVote + ")"; }
      if (poll.closed) {
        li.textContent = label;
      } else {
        var button = el("button", "secondary", T.vote + ": " + o.label);
        button.type = "button";
        button.setAttribute("aria-pressed", o.id === myVote ? "true" : "false");
        button.addEventListener("click", function () {
          call("poll_vote", { poll_id: poll.id, option_id: o.id }, function (answer) {
            if (answer && answer.ok) { myVote = o.id; showPoll(currentPoll); }
          });
        });
        li.appendChild(button);
        li.appendChild(el("span", "chat-poll-count", " " + fmt(T.votes, { n: o.votes }) +
          (o.id === myVote ? " (" + T.yourVote + ")" : "")));
      }
      results.appendChild(li);
    });
    fieldset.appendChild(results);
    if (poll.closed) { fieldset.appendChild(el("p", "muted", T.pollClosed)); }
    else if (canManage) {
      var close = el("button", "secondary", T.closePoll);
      close.type = "button";
      close.addEventListener("click", function () { call("poll_close", { poll_id: poll.id }); });
      fieldset.appendChild(close);
    }
    box.appendChild(fieldset);
    if (hadFocus) { var first = box.querySelector("button"); (first || box).focus(); }
  }
  socket.on("poll", function (poll) {
    if (!poll || poll.room_id !== roomId) { return; }
    if (!currentPoll || currentPoll.id !== poll.id) {
      myVote = null;
      announce(fmt(T.newPoll, { question: poll.question }));
    }
    showPoll(poll);
  });
  if ($("chat-poll-form")) {
    $("chat-poll-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var options = $("chat-poll-options").value.split("\n").map(function (s) { return s.trim(); })
        .filter(function (s) { return s; });
      call("poll_create", { question: $("chat-poll-question").value, options: options }, function (a) {
        if (a && a.ok) { $("chat-poll-question").value = ""; $("chat-poll-options").value = ""; }
      });
    });
  }

  // -- hands and presence ---------------------------------------------------------------------

  function showHands(hands) {
    var list = $("chat-hands");
    list.textContent = "";
    myHandRaised = false;
    hands.forEach(function (h) {
      var li = el("li", null, h.name);
      if (me && h.user_id === me.id) { myHandRaised = true; }
      if (canManage) {
        var lower = el("button", "link-button", T.lowerHand);
        lower.type = "button";
        lower.setAttribute("aria-label", fmt(T.lowerHandOf, { name: h.name }));
        lower.addEventListener("click", function () { call("hand_lower", { user_id: h.user_id }); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(lower);
      }
      list.appendChild(li);
    });
    handButton.textContent = myHandRaised ? T.lowerHand : T.raiseHand;
    handButton.setAttribute("aria-pressed", myHandRaised ? "true" : "false");
    handButton.disabled = !roomOpen && !myHandRaised;
  }
  var knownHands = new Set();
  socket.on("hands", function (d) {
    if (d.room_id !== roomId) { return; }
    if (canManage) {
      d.hands.forEach(function (h) {
        if (!knownHands.has(h.user_id)) { announce(fmt(T.handRaised, { name: h.name })); }
      });
    }
    knownHands = new Set(d.hands.map(function (h) { return h.user_id; }));
    showHands(d.hands);
  });
  handButton.addEventListener("click", function () { call("hand", { raised: !myHandRaised }); });

  function showPresence(users) {
    var list = $("chat-presence");
    list.textContent = "";
    users.forEach(function (u) { list.appendChild(el("li", null, u.name)); });
    $("chat-presence-count").textContent = String(users.length);
  }
  socket.on("presence", function (d) { if (d.room_id === roomId) { showPresence(d.users); } });

  setConnection(T.connecting, "connecting");
  updateCount();
}());
