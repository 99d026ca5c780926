/*
 * Machi TV mode: a remote control's arrow buttons move between the tiles by where they are on the
 * screen; OK (Enter) follows the focused link natively; Back (Escape, Backspace, or a TV's own
 * back key) on a page with a back link goes there. It also keeps the clock and the "in N minutes"
 * of the buses current. Without it everything works with Tab and Enter.
 *
 * ES3/ES5 only, for the old browsers of TV sets: var, function expressions, keyCode, attachEvent
 * where there is no addEventListener. Checked by tv.script.test.ts.
 */
(function () {
  var doc = document;
  var TILE = /(^|\s)tile(\s|$)/;

  function on(target, type, handler) {
    if (target.addEventListener) target.addEventListener(type, handler, false);
    else if (target.attachEvent) target.attachEvent('on' + type, handler);
  }

  function cancel(e) {
    if (e.preventDefault) e.preventDefault();
    e.returnValue = false;
  }

  function setText(el, text) {
    if ('textContent' in el) el.textContent = text;
    else el.innerText = text;
  }

  /* Every tile and every element made focusable for reading (tabindex 0), in document order. */
  function tiles() {
    var all = doc.getElementsByTagName('*');
    var out = [];
    var i;
    for (i = 0; i < all.length; i++) {
      if (TILE.test(all[i].className || '') || all[i].getAttribute('tabindex') === '0') out.push(all[i]);
    }
    return out;
  }

  function box(el) {
    var r = el.getBoundingClientRect();
    return { l: r.left, t: r.top, r: r.right, b: r.bottom, x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 };
  }

  /*
   * The nearest tile in a direction: among tiles wholly beyond the current one's edge (a few pixels
   * of overlap allowed), the one with the smallest gap along the direction plus three times its
   * offset across it, so that the tile straight ahead beats a closer one off to the side.
   */
  function nearest(list, cur, dir) {
    var a = box(cur);
    var best = null;
    var bestScore = 0;
    var i, b, gap, across, score;
    for (i = 0; i < list.length; i++) {
      if (list[i] === cur) continue;
      b = box(list[i]);
      if (b.r - b.l === 0 && b.b - b.t === 0) continue;
      if (dir === 'down') { gap = b.t - a.b; across = Math.abs(b.x - a.x); }
      else if (dir === 'up') { gap = a.t - b.b; across = Math.abs(b.x - a.x); }
      else if (dir === 'right') { gap = b.l - a.r; across = Math.abs(b.y - a.y); }
      else { gap = a.l - b.r; across = Math.abs(b.y - a.y); }
      if (gap < -4) continue;
      score = Math.max(gap, 0) + 3 * across;
      if (best === null || score < bestScore) { best = list[i]; bestScore = score; }
    }
    return best;
  }

  function indexOf(list, el) {
    var i;
    for (i = 0; i < list.length; i++) if (list[i] === el) return i;
    return -1;
  }

  function move(dir) {
    var list = tiles();
    var cur = doc.activeElement;
    var next;
    if (list.length === 0) return false;
    if (!cur || indexOf(list, cur) < 0) next = list[0];
    else next = nearest(list, cur, dir);
    if (!next) return false;
    next.focus();
    return true;
  }

  function backLink() {
    var links = doc.getElementsByTagName('a');
    var i;
    for (i = 0; i < links.length; i++) if (links[i].getAttribute('data-back') === '1') return links[i];
    return null;
  }

  var DIRECTIONS = { 37: 'left', 38: 'up', 39: 'right', 40: 'down' };
  /* Escape, Backspace, and the back keys of webOS (461) and Tizen (10009) TV sets. */
  var BACK = { 27: true, 8: true, 461: true, 10009: true };

  on(doc, 'keydown', function (e) {
    var key, dir, back;
    e = e || window.event;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    key = e.keyCode || e.which;
    dir = DIRECTIONS[key];
    if (dir) {
      if (move(dir)) cancel(e);
      return;
    }
    if (BACK[key]) {
      back = backLink();
      if (back) {
        cancel(e);
        window.location.href = back.href;
      }
    }
  });

  /* The clock and the minutes to each bus, from the server's time (the TV's own may be wrong). */
  var clock = doc.getElementById('tv-time');
  if (clock) {
    var skew = Number(clock.getAttribute('data-now')) - new Date().getTime();
    var tick = function () {
      var now = new Date().getTime() + skew;
      var jst = new Date(now + 9 * 3600000);
      var minutes = jst.getUTCMinutes();
      var all = doc.getElementsByTagName('strong');
      var sections = doc.getElementsByTagName('section');
      var texts = null;
      var i, at, n, item;
      setText(clock, jst.getUTCHours() + ':' + (minutes < 10 ? '0' : '') + minutes);
      for (i = 0; i < sections.length; i++) {
        if (sections[i].getAttribute('data-many')) texts = sections[i];
      }
      if (!texts) return;
      for (i = 0; i < all.length; i++) {
        if (!/(^|\s)mins(\s|$)/.test(all[i].className)) continue;
        at = Number(all[i].getAttribute('data-at'));
        n = Math.floor((at - now) / 60000);
        item = all[i].parentNode;
        if (n < 0) item.style.display = 'none';
        else if (n === 0) setText(all[i], texts.getAttribute('data-soon'));
        else if (n === 1) setText(all[i], texts.getAttribute('data-one'));
        else setText(all[i], texts.getAttribute('data-many').replace('{n}', String(n)));
      }
    };
    window.setInterval(tick, 15000);
  }
})();
