// The desk's live helpers: knowledge base articles and earlier cases matching what the clerk types, and the
// caller's history beside the form. Everything is rendered with DOM calls (text, never HTML), and without the
// script every form still works the same: the panel only fills fields the clerk can also type into.
(function () {
  "use strict";
  var panel = document.getElementById("desk-assist");
  if (!panel || !window.fetch) { return; }
  var d = panel.dataset;
  var bodyField = document.querySelector('[data-answer="body"]');
  var articlesField = document.querySelector('[data-answer="articles"]');
  var followUp = document.querySelector('[data-follow-up="case"]');
  var sources = Array.prototype.slice.call(document.querySelectorAll("[data-suggest]"));
  var phone = document.querySelector(d.phoneField || "#phone");
  var address = document.querySelector(d.addressField || "#address");
  var articlesList = document.getElementById("suggested-articles-list");
  var casesList = document.getElementById("suggested-cases-list");
  var history = document.getElementById("caller-history");
  var shown = [];
  var seq = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function getJSON(url, params) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k] || "");
    }).join("&");
    return fetch(url + "?" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function useArticle(article) {
    if (bodyField) {
      var now = bodyField.value.trim();
      bodyField.value = now ? now + "\n\n" + article.answer : article.answer;
    }
    if (articlesField) {
      var ids = articlesField.value.split(/[\s,]+/).filter(Boolean);
      if (ids.indexOf(String(article.id)) < 0) { ids.push(String(article.id)); }
      articlesField.value = ids.join(", ");
    }
    panel.dispatchEvent(new CustomEvent("desk:article-used", { detail: article.id }));
  }

  function renderSuggestions(data) {
    shown = data.articles;
    articlesList.textContent = "";
    data.articles.forEach(function (a, i) {
      var li = el("li", "suggested-article");
      li.dataset.articleId = a.id;
      var title = el("a", "question", a.question);
      title.href = a.url;
      title.target = "_blank";
      title.rel = "noopener";
      title.tabIndex = -1;
      li.appendChild(title);
      li.appendChild(el("span", "meta", " · " + [a.lang, a.category, a.unit].filter(Boolean).join(" · ")));
      li.appendChild(el("p", "answer", a.answer));
      if (bodyField) {
        var use = el("button", "link use-article", d.tUse + (i < 9 ? " (Alt+" + (i + 1) + ")" : ""));
        use.type = "button";
        use.addEventListener("click", function () { useArticle(a); });
        li.appendChild(use);
      }
      articlesList.appendChild(li);
    });
    if (!data.articles.length) { articlesList.appendChild(el("li", "empty", d.tNone)); }
    casesList.textContent = "";
    data.cases.forEach(function (c) {
      var li = el("li", "suggested-case");
      var link = el("a", "", c.number);
      link.href = c.url;
      link.tabIndex = -1;
      li.appendChild(link);
      li.appendChild(el("span", "", " " + c.title + " · " + c.status));
      casesList.appendChild(li);
    });
    if (!data.cases.length) { casesList.appendChild(el("li", "empty", d.tNone)); }
  }

  var suggest = debounce(function () {
    var text = [d.initial || ""].concat(sources.map(function (s) { return s.value; })).join("\n").trim();
    var mine = ++seq;
    if (!text) { renderSuggestions({ articles: [], cases: [] }); return; }
    getJSON(d.suggestUrl, { q: text.slice(-2000), "case": d.case || "" }).then(function (data) {
      if (mine === seq) { renderSuggestions(data); panel.dataset.state = "ready"; }
    }).catch(function () { /* the panel keeps what it showed */ });
  }, 120);

  function markFollowUp(number) {
    if (!followUp) { return; }
    followUp.value = number;
    var note = document.getElementById("follow-up-note");
    note.hidden = !number;
    document.getElementById("follow-up-number").textContent = number;
  }

  function renderHistory(data) {
    var list = document.getElementById("caller-cases");
    var badge = document.getElementById("repeat-caller");
    list.textContent = "";
    history.hidden = !data.cases.length;
    badge.hidden = data.recent < 1;
    badge.textContent = d.tRepeat.replace("{n}", data.recent).replace("{days}", data.days);
    data.cases.forEach(function (c) {
      var li = el("li", c.open ? "caller-case open" : "caller-case");
      var link = el("a", "", c.number);
      link.href = c.url;
      link.tabIndex = -1;
      li.appendChild(link);
      li.appendChild(el("span", "", " " + c.received + " · " + c.subject + " · " + c.status));
      if (c.open && followUp) {
        var link2 = el("button", "link follow-up", d.tFollow);
        link2.type = "button";
        link2.dataset.number = c.number;
        link2.addEventListener("click", function () { markFollowUp(c.number); });
        li.appendChild(link2);
      }
      list.appendChild(li);
    });
  }

  var lookUpCaller = debounce(function () {
    var params = { phone: phone ? phone.value : (d.phone || ""), email: d.email || "",
                   address: address ? address.value : (d.address || ""), "case": d.case || "" };
    if (!params.phone && !params.email && !params.address) { return; }
    getJSON(d.callerUrl, params).then(renderHistory).catch(function () {});
  }, 150);

  sources.forEach(function (s) { s.addEventListener("input", suggest); });
  if (phone) { phone.addEventListener("input", lookUpCaller); }
  if (address) { address.addEventListener("input", lookUpCaller); }
  var undo = document.getElementById("follow-up-undo");
  if (undo) { undo.addEventListener("click", function () { markFollowUp(""); }); }
  document.addEventListener("keydown", function (event) {
    // Alt+1 ... Alt+9 take the article shown at that place, wherever the cursor is: no mouse on the phone.
    if (!event.altKey || event.ctrlKey || event.metaKey || !bodyField) { return; }
    var n = parseInt(event.key, 10);
    if (n >= 1 && n <= shown.length) { event.preventDefault(); useArticle(shown[n - 1]); }
  });
  if (d.initial || sources.some(function (s) { return s.value; })) { suggest(); }
  if ((phone && phone.value) || (address && address.value) || d.phone || d.email || d.address) { lookUpCaller(); }
}());

// Dispatch: the unit follows the chosen category's routing until the clerk picks a unit by hand.
(function () {
  "use strict";
  var category = document.querySelector("[data-routing]");
  var unit = document.querySelector('[data-routed="unit"]');
  if (!category || !unit) { return; }
  var routes = JSON.parse(category.dataset.routing || "{}");
  var chosen = false;
  unit.addEventListener("change", function () { chosen = true; });
  category.addEventListener("change", function () {
    if (!chosen && routes[category.value]) { unit.value = String(routes[category.value]); }
  });
}());

// Dispatch: the area's unit, proposed beside the category's, taken with one click.
(function () {
  "use strict";
  var unit = document.querySelector('[data-routed="unit"]');
  document.querySelectorAll("[data-pick-unit]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (unit) { unit.value = button.dataset.pickUnit; unit.dispatchEvent(new Event("change")); unit.focus(); }
    });
  });
}());
