// The live page of the reference activity watcher: plain JavaScript, no build step, no framework.
// GET /games lists the games; the WebSocket /ws carries {"type":"kalshi_price_update","data":{...}} for the
// games this page subscribed to ({"type":"subscribe","gameIds":[...]}), and {"type":"kalshi_feed_status","data":...}
// (the service's feed state: how fresh every price is) on connecting and at each change.
(function () {
  'use strict';

  var STALE_AFTER_MS = 60 * 1000;
  var GAMES_POLL_MS = 5000;
  var grid = document.getElementById('games');
  var empty = document.getElementById('empty');
  var connection = document.getElementById('connection');
  var feedBadge = document.getElementById('feed');
  var feedReason = document.getElementById('feed-reason');
  var liveDot = document.querySelector('.live-dot');
  // The badge says how fresh the prices are (the service's feed state); the page's own link to the watcher is
  // the smaller line under it.
  var FEED_LABELS = {
    live: 'Kalshi feed: live',
    rest: 'Kalshi feed: REST fallback (delayed)',
    down: 'Kalshi feed: down (prices frozen)',
    exchange_paused: 'Kalshi: trading paused'
  };
  var cards = new Map(); // gameId -> { el, state }
  var socket = null;
  var retryMs = 500;

  function cents(value) {
    if (value === null || value === undefined) return '—';
    return String(Math.round(value * 100) / 100) + '¢';
  }

  function priceText(team) {
    return 'Kalshi: ' + cents(team && team.kalshiBuyPrice) + ' / ' + cents(team && team.kalshiSellPrice);
  }

  // "nba-cha-hou-2026-02-05" -> { league: "NBA", away: "CHA", home: "HOU" }; anything else -> null.
  function parseSlug(slug) {
    var match = /^([a-z]+)-([a-z]{2,4})-([a-z]{2,4})(?:-|$)/.exec(slug || '');
    return match ? { league: match[1].toUpperCase(), away: match[2].toUpperCase(), home: match[3].toUpperCase() } : null;
  }

  function age(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function teamRow(side, label) {
    var row = el('div', 'team ' + side);
    row.appendChild(el('span', 'side', label));
    var price = el('span', 'price', priceText(null));
    price.title = 'buy / sell';
    row.appendChild(price);
    return row;
  }

  function ensureCard(gameId, slug) {
    var card = cards.get(gameId);
    if (card) {
      if (slug && !card.slug) setTitle(card, slug);
      return card;
    }
    var node = el('article', 'card waiting');
    node.dataset.gameId = gameId;
    var head = el('header', 'card-head');
    var titles = el('div', 'titles');
    titles.appendChild(el('h2', 'title', gameId));
    titles.appendChild(el('div', 'slug', ''));
    head.appendChild(titles);
    var labels = el('div', 'labels');
    labels.appendChild(el('span', 'status-label', ''));
    labels.appendChild(el('span', 'stale-label', 'stale'));
    head.appendChild(labels);
    node.appendChild(head);
    node.appendChild(teamRow('away', 'Away'));
    node.appendChild(teamRow('home', 'Home'));
    var drawRow = teamRow('draw', 'Draw');
    drawRow.hidden = true; // three-way games only (a soccer game's draw market)
    node.appendChild(drawRow);
    var foot = el('footer', 'card-foot');
    foot.appendChild(el('span', 'age', 'waiting for prices…'));
    foot.appendChild(el('span', 'ticker', ''));
    node.appendChild(foot);
    card = { el: node, state: null, slug: null };
    cards.set(gameId, card);
    insertSorted(node, gameId);
    empty.hidden = true;
    if (slug) setTitle(card, slug);
    return card;
  }

  function insertSorted(node, gameId) {
    var next = null;
    for (var i = 0; i < grid.children.length; i++) {
      if (grid.children[i].dataset.gameId.localeCompare(gameId) > 0) { next = grid.children[i]; break; }
    }
    grid.insertBefore(node, next);
  }

  function setTitle(card, slug) {
    card.slug = slug;
    var parsed = parseSlug(slug);
    card.el.querySelector('.title').textContent = parsed ? parsed.away + ' @ ' + parsed.home : slug;
    card.el.querySelector('.slug').textContent = parsed ? parsed.league + ' · ' + slug : card.el.dataset.gameId;
    if (parsed) {
      card.el.querySelector('.team.away .side').textContent = parsed.away;
      card.el.querySelector('.team.home .side').textContent = parsed.home;
    }
  }

  function apply(data) {
    if (!data || typeof data.gameId !== 'string') return;
    var card = ensureCard(data.gameId, data.slug);
    if (card.state && data.timestamp < card.state.timestamp) return; // never go back to an older state
    var changed = !card.state ||
      priceText(card.state.awayTeam) !== priceText(data.awayTeam) ||
      priceText(card.state.homeTeam) !== priceText(data.homeTeam) ||
      priceText(card.state.draw) !== priceText(data.draw) ||
      card.state.status !== data.status || card.state.result !== data.result;
    card.state = data;
    card.el.classList.remove('waiting');
    card.el.querySelector('.team.away .price').textContent = priceText(data.awayTeam);
    card.el.querySelector('.team.home .price').textContent = priceText(data.homeTeam);
    var drawRow = card.el.querySelector('.team.draw');
    drawRow.hidden = !data.draw;
    if (data.draw) drawRow.querySelector('.price').textContent = priceText(data.draw);
    showLife(card, data);
    card.el.querySelector('.ticker').textContent = data.ticker;
    if (changed) flash(card.el);
    refreshAge(card, Date.now());
  }

  // The game's status as a label, and the winner of a final game: "final · ARS won", "final · draw", "final · no winner".
  // A message from a service that predates statuses has none: no label then.
  function showLife(card, data) {
    var label = card.el.querySelector('.status-label');
    var status = typeof data.status === 'string' ? data.status : '';
    card.el.dataset.status = status;
    ['home', 'away', 'draw'].forEach(function (side) {
      card.el.querySelector('.team.' + side).classList.toggle('winner', status === 'final' && data.result === side);
    });
    if (status !== 'final') {
      label.textContent = status;
      return;
    }
    if (data.result === 'draw') label.textContent = 'final · draw';
    else if (data.result === 'home' || data.result === 'away') {
      label.textContent = 'final · ' + card.el.querySelector('.team.' + data.result + ' .side').textContent + ' won';
    } else label.textContent = 'final · no winner';
  }

  function flash(node) {
    node.classList.remove('updated');
    void node.offsetWidth; // restart the animation
    node.classList.add('updated');
  }

  function refreshAge(card, now) {
    if (!card.state) return;
    var since = now - card.state.timestamp;
    // Trading has ended on a closed or final game: its prices are expected to stand still.
    var ended = card.state.status === 'closed' || card.state.status === 'final';
    var stale = !ended && since > STALE_AFTER_MS;
    card.el.classList.toggle('stale', stale);
    card.el.querySelector('.age').textContent = (stale ? 'stale · last update ' : 'updated ') + age(since) + ' ago';
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function loadGames() {
    return fetch('/games', { cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var added = [];
        (body.games || []).forEach(function (game) {
          if (!cards.has(game.gameId)) added.push(game.gameId);
          ensureCard(game.gameId, game.slug);
        });
        if (added.length > 0) send({ type: 'subscribe', gameIds: added });
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function setConnection(state, text) {
    connection.className = 'connection ' + state;
    connection.textContent = 'watcher: ' + text;
  }

  function setFeed(data) {
    var state = data ? data.state : 'none';
    feedBadge.className = 'feed ' + state;
    feedBadge.dataset.state = state;
    liveDot.className = 'live-dot ' + state;
    feedBadge.textContent = data ? (FEED_LABELS[state] || 'Kalshi feed: ' + state) : 'Kalshi feed: none (no leader)';
    var text = data ? data.reason + ' · since ' + new Date(data.since).toLocaleTimeString() : 'kalshi:feed is absent: no replica of the service leads';
    feedReason.textContent = text;
    feedBadge.title = text;
  }

  function connect() {
    setConnection('connecting', 'connecting…');
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    socket = new WebSocket(scheme + location.host + '/ws');
    socket.onopen = function () {
      retryMs = 500;
      setConnection('live', 'connected');
      if (cards.size > 0) send({ type: 'subscribe', gameIds: Array.from(cards.keys()) });
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && message.type === 'kalshi_price_update') apply(message.data);
      else if (message && message.type === 'kalshi_feed_status') setFeed(message.data);
    };
    socket.onclose = function () {
      setConnection('down', 'reconnecting…');
      // What the feed was is no longer known here.
      feedBadge.className = 'feed unknown';
      liveDot.className = 'live-dot unknown';
      feedBadge.textContent = 'Kalshi feed: unknown (watcher unreachable)';
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  connect();
  loadGames();
  setInterval(loadGames, GAMES_POLL_MS);
  setInterval(function () {
    var now = Date.now();
    cards.forEach(function (card) { refreshAge(card, now); });
  }, 1000);
})();
