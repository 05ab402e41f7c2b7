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
  var facetBox = root.querySelector("[data-gpce-facets]");
  var FACETS = [["stakeholder", "Stakeholder"], ["theme", "Theme"], ["confidence", "Confidence"],
                ["source", "Source"], ["scheme", "Scheme"]];
  var CONFIDENCE_ORDER = ["High", "Moderate", "Low", "Very low"];
  var chosen = {};  // facet -> array of chosen values (labels, as the records give them)
  var known = null;  // facet -> {value: pages}, from pagefind.filters(), once
  // Resolved once per page load.
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

  function search(query, now) {
    var mine = ++generation;
    clearTimeout(timer);
    if (!query.trim() && !anyChosen()) {
      list.replaceChildren();
      say(placeholder);
      if (known) drawFacets(null);
      return;
    }
    timer = setTimeout(function () { run(query, mine); }, now ? 0 : 300);
  }

  function slug(text) { return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, ""); }

  function kindValue() {
    var kind = kinds.filter(function (k) { return k.checked; })[0];
    return kind ? kind.value : "";
  }

  function anyChosen() {
    return FACETS.some(function (f) { return (chosen[f[0]] || []).length; });
  }

  function filters() {
    var out = {};
    var kind = kindValue();
    if (kind) out.kind = kind;
    FACETS.forEach(function (f) {
      if ((chosen[f[0]] || []).length) out[f[0]] = { any: chosen[f[0]].slice() };
    });
    return out;
  }

  /* One <details> per facet: a real fieldset of labelled check boxes, each with its count for the
     current query; values with no matching page are disabled but stay in place. */
  function drawFacets(counts) {
    if (!known) return;
    facetBox.replaceChildren.apply(facetBox, FACETS.filter(function (f) {
      return known[f[0]] && Object.keys(known[f[0]]).length;
    }).map(function (f) {
      var name = f[0];
      var values = Object.keys(known[name]);
      values.sort(name === "confidence"
        ? function (a, b) { return CONFIDENCE_ORDER.indexOf(a) - CONFIDENCE_ORDER.indexOf(b); }
        : function (a, b) { return a.localeCompare(b); });
      var picked = chosen[name] || [];
      var details = element("details", "gpce-facet");
      details.open = picked.length > 0 || details.open;
      details.setAttribute("data-facet", name);
      var summary = element("summary", null, f[1] + (picked.length ? " (" + picked.length + " chosen)" : ""));
      details.appendChild(summary);
      var fieldset = element("fieldset");
      fieldset.appendChild(element("legend", "gpce-facet__legend", f[1]));
      values.forEach(function (value) {
        var count = counts && counts[name] ? (counts[name][value] || 0) : known[name][value];
        var label = element("label", "gpce-facet__value");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = name;
        box.value = value;
        box.checked = picked.indexOf(value) >= 0;
        box.disabled = count === 0 && !box.checked;
        box.addEventListener("change", function () { choose(name, value, box.checked); });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + value + " "));
        label.appendChild(element("span", "gpce-facet__count", "(" + count + ")"));
        fieldset.appendChild(label);
      });
      details.appendChild(fieldset);
      return details;
    }));
  }

  function choose(name, value, on) {
    var list = (chosen[name] || []).filter(function (v) { return v !== value; });
    if (on) list.push(value);
    chosen[name] = list;
    remember(true);
    search(input.value, true);
  }

  /* The address holds the search: q, then one parameter per chosen value (slugs of the labels). */
  function remember(push) {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    var kind = kindValue();
    if (kind) params.set("kind", slug(kind));
    FACETS.forEach(function (f) {
      (chosen[f[0]] || []).forEach(function (value) { params.append(f[0], slug(value)); });
    });
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    history[push ? "pushState" : "replaceState"](history.state, "", url);
  }

  /* Read a search back from the address (on load, and on Back/Forward). Slugs are matched to the
     values the index holds, so the address needs no list of its own. */
  function restore() {
    var params = new URLSearchParams(location.search);
    var wanted = params.has("q") || params.has("kind") || FACETS.some(function (f) { return params.has(f[0]); });
    if (!wanted) return Promise.resolve(false);
    input.value = params.get("q") || "";
    kinds.forEach(function (k) { k.checked = slug(k.value) === (params.get("kind") || ""); });
    return facetsKnown().then(function () {
      chosen = {};
      FACETS.forEach(function (f) {
        var slugs = params.getAll(f[0]);
        chosen[f[0]] = Object.keys(known[f[0]] || {}).filter(function (v) { return slugs.indexOf(slug(v)) >= 0; });
      });
      open();
      search(input.value, true);
      return true;
    });
  }

  function facetsKnown() {
    if (known) return Promise.resolve(known);
    return load().then(function (pagefind) { return pagefind.filters(); }).then(function (all) {
      known = all || {};
      drawFacets(null);
      return known;
    });
  }

  function run(query, mine) {
    var browse = !query.trim();
    load().then(function (pagefind) {
      if (mine !== generation) return null;
      return facetsKnown().then(function () {
        if (mine !== generation) return null;
        var options = { filters: filters() };
        if (browse) options.sort = { order: "asc" };
        return pagefind.search(browse ? null : query, options);
      });
    }).then(function (found) {
      if (!found || mine !== generation) return null;  // a later query superseded this one
      drawFacets(found.filters);
      return Promise.all(found.results.slice(0, MAX_RESULTS).map(function (r) { return r.data(); }))
        .then(function (pages) {
          if (mine !== generation) return;
          list.replaceChildren.apply(list, pages.map(item));
          var total = found.results.length;
          var shown = browse ? ", showing the " + MAX_RESULTS + " most confident" : ", showing the best " + MAX_RESULTS;
          say(total === 0 ? "No matching pages"
            : total === 1 ? "1 matching page"
            : total + " matching pages" + (total > MAX_RESULTS ? shown : ""));
        });
    }).catch(function () {
      if (mine === generation) say("Search is not available: its index did not load.");
    });
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  input.addEventListener("focus", function () { open(); facetsKnown().catch(function () {}); });
  input.addEventListener("input", function () { search(input.value); remember(false); });
  kinds.forEach(function (k) { k.addEventListener("change", function () { remember(true); search(input.value, true); }); });
  window.addEventListener("popstate", function () {
    restore().then(function (restored) {
      if (!restored) { chosen = {}; input.value = ""; search(""); toggle.checked = false; }
    });
  });
  restore().catch(function () {});
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
    chosen = {};
    if (known) drawFacets(null);
    setTimeout(function () { remember(true); }, 0);
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
