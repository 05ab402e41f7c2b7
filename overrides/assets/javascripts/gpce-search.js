/* Header search on Pagefind's JS API (the site's own pagefind/ bundle; see partials/search.html).
 *
 * Pagefind loads on the first focus of the box, not with the page. Results show the page title, its
 * kind (finding, lesson, source, comparison) and an excerpt with the matched words marked; radio
 * buttons above them narrow the search to one kind (Pagefind's `kind` filter). Keys:
 * "/" or "s" opens the box from anywhere on the page; Down and Up move between the box and the
 * results; Enter in the box opens the first result; Escape closes. Material's `__search` toggle
 * drives the look (expanded box, result panel, full-screen search on phones), as with Material's
 * own search.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-gpce-search]");
  var toggle = document.getElementById("__search");
  if (!root || !toggle) return;
  var form = root.querySelector("form");
  var input = root.querySelector(".md-search__input");
  var status = root.querySelector(".md-search-result__meta");
  var list = root.querySelector(".md-search-result__list");
  var kinds = Array.prototype.slice.call(root.querySelectorAll(".gpce-search__kinds input"));
  var placeholder = status.textContent;
  // Resolved once: the header stays in place across Material's instant navigation.
  var bundle = new URL(root.getAttribute("data-bundle"), document.baseURI).href;
  var siteRoot = new URL(root.getAttribute("data-root"), document.baseURI).pathname;
  var MAX_RESULTS = 10;
  var loading = null;
  var generation = 0;

  function load() {
    if (!loading) {
      loading = import(bundle + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ baseUrl: siteRoot, excerptLength: 30 }).then(function () {
          return pagefind.init();
        }).then(function () { return pagefind; });
      });
      loading.catch(function () { loading = null; });  // try again on the next query
    }
    return loading;
  }

  function say(text) { status.textContent = text; }

  function open() { if (!toggle.checked) { toggle.checked = true; } }

  function close() {
    toggle.checked = false;
    if (root.contains(document.activeElement)) document.activeElement.blur();
  }

  /* Pagefind's excerpt is HTML: the page's text with <mark> around matches. Keep only text and
     <mark>, parsed in an inert <template>, so no markup from a page can reach this one. */
  function excerpt(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function item(data) {
    var li = element("li", "md-search-result__item");
    var link = element("a", "md-search-result__link");
    link.href = data.url;
    var article = element("div", "md-search-result__article md-typeset");
    if (data.meta && data.meta.kind) article.appendChild(element("div", "gpce-search__kind", data.meta.kind));
    article.appendChild(element("div", "gpce-search__title", (data.meta && data.meta.title) || data.url));
    var text = element("p", "gpce-search__excerpt");
    text.appendChild(excerpt(data.excerpt || ""));
    article.appendChild(text);
    link.appendChild(article);
    li.appendChild(link);
    return li;
  }

  /* Debounced here, not with Pagefind's debouncedSearch: that one preloads the index chunk of every
     prefix typed on the way ("f", "fu", "fun"...), several chunks before the first result. */
  var timer = null;

  function search(query) {
    var mine = ++generation;
    clearTimeout(timer);
    if (!query.trim()) {
      list.replaceChildren();
      say(placeholder);
      return;
    }
    timer = setTimeout(function () { run(query, mine); }, 300);
  }

  function run(query, mine) {
    load().then(function (pagefind) {
      if (mine !== generation) return null;
      var kind = kinds.filter(function (k) { return k.checked; })[0];
      return pagefind.search(query, kind && kind.value ? { filters: { kind: kind.value } } : {});
    }).then(function (found) {
      if (!found || mine !== generation) return null;  // a later query superseded this one
      return Promise.all(found.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
        .then(function (pages) {
          if (mine !== generation) return;
          list.replaceChildren.apply(list, pages.map(item));
          var total = found.results.length;
          say(total === 0 ? "No matching pages"
            : total === 1 ? "1 matching page"
            : total + " matching pages" + (total > MAX_RESULTS ? ", showing the best " + MAX_RESULTS : ""));
        });
    }).catch(function () {
      if (mine === generation) say("Search is not available: its index did not load.");
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("focus", function () { open(); load().catch(function () {}); });
  input.addEventListener("input", function () { search(input.value); });
  kinds.forEach(function (k) { k.addEventListener("change", function () { search(input.value); }); });
  toggle.addEventListener("change", function () {  // the magnifier and overlay labels toggle it
    if (toggle.checked) input.focus(); else close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = links()[0];
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    generation++;
    if (kinds.length) kinds[0].checked = true;
    list.replaceChildren();
    say(placeholder);
    input.focus();
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) toggle.checked = false;  // leave the page with the panel closed
  });
  root.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !root.contains(event.relatedTarget)) toggle.checked = false;
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var stops = [input].concat(links());
    var at = stops.indexOf(document.activeElement);
    if (at < 0 || stops.length < 2) return;
    event.preventDefault();
    var next = event.key === "ArrowDown" ? Math.min(at + 1, stops.length - 1) : Math.max(at - 1, 0);
    stops[next].focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "/" && event.key !== "s") return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    event.preventDefault();
    open();
    input.focus();
    input.select();
  });
})();
