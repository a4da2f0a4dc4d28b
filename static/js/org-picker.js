// Organization picker (templates: organizations/widgets/org_picker.html). Two ways to choose, both scoped
// on the server and both usable from the keyboard:
//  - search: typing asks the lookup endpoint for names; ↓/↑ move through the suggestions, Enter picks,
//    Esc closes;
//  - tree: the button next to the box opens the organization tree (WAI-ARIA tree view). Each level is
//    loaded when it is opened (100 at a time, "加载更多" for the rest), so a tree of 100,000 organizations
//    costs one small request per opened node. ↑/↓ move, → opens (or goes to the first child), ← closes
//    (or goes to the parent), Home/End, Enter or Space picks, Esc closes.
// Picking puts the organization's code (or id, data-value-key="id") in the hidden input and its name in
// the box. Editing the text clears the hidden value, so a stale choice is never submitted.
(function () {
  "use strict";
  var timer = null;

  function widgetOf(el) { return el.closest("[data-org-picker-widget]"); }
  function parts(w) {
    return {
      value: w.querySelector("[data-org-picker-value]"),
      box: w.querySelector("[data-org-picker]"),
      results: w.querySelector(".org-picker-results"),
      tree: w.querySelector(".org-picker-tree"),
      treeview: w.querySelector(".org-picker-treeview"),
      toggle: w.querySelector("[data-org-tree-toggle]")
    };
  }
  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function choose(w, org) {
    var p = parts(w);
    p.value.value = w.dataset.valueKey === "id" ? String(org.id) : org.code;
    p.box.value = org.name;
    closeResults(w);
    closeTree(w, true);
    p.value.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // ---------------------------------------------------------------- search suggestions
  function closeResults(w) {
    var p = parts(w);
    p.results.hidden = true;
    p.results.innerHTML = "";
    p.box.setAttribute("aria-expanded", "false");
    p.box.removeAttribute("aria-activedescendant");
  }
  function showResults(w, q, rows) {
    var p = parts(w);
    p.results.innerHTML = "";
    rows.forEach(function (o, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.id = p.box.id + "-opt-" + i;
      b.setAttribute("role", "option");
      b.setAttribute("tabindex", "-1");
      b.dataset.org = JSON.stringify({id: o.id, code: o.code, name: o.name});
      b.textContent = o.name;
      var path = document.createElement("div");
      path.className = "path";
      path.textContent = [o.kind, o.parent].filter(Boolean).join(" · ");
      b.appendChild(path);
      p.results.appendChild(b);
    });
    if (!rows.length) {
      var none = document.createElement("div");
      none.className = "px-2 py-1 small text-muted";
      none.textContent = "没有找到名称包含“" + q + "”的党组织";
      p.results.appendChild(none);
    }
    p.results.hidden = false;
    p.box.setAttribute("aria-expanded", "true");
  }
  function options(w) { return Array.prototype.slice.call(parts(w).results.querySelectorAll("[role=option]")); }
  function activate(w, idx) {
    var p = parts(w), opts = options(w);
    if (!opts.length) return;
    idx = (idx + opts.length) % opts.length;
    opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === idx ? "true" : "false"); o.classList.toggle("active", i === idx); });
    p.box.setAttribute("aria-activedescendant", opts[idx].id);
    opts[idx].scrollIntoView({block: "nearest"});
  }
  function activeIndex(w) {
    var opts = options(w);
    for (var i = 0; i < opts.length; i++) if (opts[i].getAttribute("aria-selected") === "true") return i;
    return -1;
  }

  document.addEventListener("input", function (ev) {
    var box = ev.target;
    if (!box.matches || !box.matches("[data-org-picker]")) return;
    var w = widgetOf(box);
    parts(w).value.value = "";
    clearTimeout(timer);
    var q = box.value.trim();
    if (!q) { closeResults(w); return; }
    timer = setTimeout(function () {
      getJSON(w.dataset.lookupUrl + "?format=json&q=" + encodeURIComponent(q))
        .then(function (data) { if (box.value.trim() === q) showResults(w, q, data.results); })
        .catch(function () { closeResults(w); });
    }, 250);
  });

  document.addEventListener("keydown", function (ev) {
    var box = ev.target;
    if (!box.matches || !box.matches("[data-org-picker]")) return;
    var w = widgetOf(box), p = parts(w);
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (p.results.hidden) return;
      ev.preventDefault();
      var i = activeIndex(w);
      activate(w, ev.key === "ArrowDown" ? i + 1 : (i < 0 ? -1 : i - 1));
    } else if (ev.key === "Enter") {
      var idx = activeIndex(w);
      if (!p.results.hidden && idx >= 0) {
        ev.preventDefault();
        choose(w, JSON.parse(options(w)[idx].dataset.org));
      }
    } else if (ev.key === "Escape") {
      if (!p.results.hidden) { ev.preventDefault(); closeResults(w); }
    }
  });

  // ---------------------------------------------------------------- tree
  function closeTree(w, focusBox) {
    var p = parts(w);
    if (p.tree.hidden) return;
    p.tree.hidden = true;
    p.toggle.setAttribute("aria-expanded", "false");
    if (focusBox) p.box.focus();
  }
  function nodeRow(item) { return item.querySelector(":scope > .org-tree-row"); }
  function makeItem(o, level) {
    var li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    li.setAttribute("aria-level", String(level));
    li.setAttribute("aria-selected", "false");
    li.setAttribute("tabindex", "-1");
    li.dataset.org = JSON.stringify({id: o.id, code: o.code, name: o.name});
    li.dataset.id = o.id;
    var row = document.createElement("div");
    row.className = "org-tree-row";
    var caret = document.createElement("span");
    caret.className = "org-tree-caret";
    caret.setAttribute("aria-hidden", "true");
    if (o.has_children) {
      li.setAttribute("aria-expanded", "false");
      caret.innerHTML = '<i class="bi bi-caret-right-fill"></i>';
    }
    var name = document.createElement("span");
    name.className = "org-tree-name";
    name.textContent = o.name;
    var kind = document.createElement("span");
    kind.className = "org-tree-kind";
    kind.textContent = o.kind;
    row.appendChild(caret); row.appendChild(name); row.appendChild(kind);
    li.appendChild(row);
    if (o.has_children) {
      var group = document.createElement("ul");
      group.setAttribute("role", "group");
      group.hidden = true;
      li.appendChild(group);
    }
    return li;
  }
  function makeMore(parentId, offset, level) {
    var li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    li.setAttribute("aria-level", String(level));
    li.setAttribute("tabindex", "-1");
    li.className = "org-tree-more";
    li.dataset.more = "1";
    li.dataset.parent = parentId == null ? "" : parentId;
    li.dataset.offset = offset;
    li.innerHTML = '<div class="org-tree-row"><span class="org-tree-caret"></span><span class="org-tree-name">加载更多…</span></div>';
    return li;
  }
  function loadLevel(w, list, parentId, offset, level) {
    var url = w.dataset.treeUrl + "?offset=" + offset + (parentId == null ? "" : "&parent=" + parentId);
    var loading = document.createElement("li");
    loading.className = "org-tree-loading small text-muted";
    loading.setAttribute("role", "none");
    loading.textContent = "正在加载…";
    list.appendChild(loading);
    return getJSON(url).then(function (data) {
      loading.remove();
      data.results.forEach(function (o) { list.appendChild(makeItem(o, level)); });
      if (data.more) list.appendChild(makeMore(parentId, data.next_offset, level));
      if (!data.results.length && offset === 0) {
        var none = document.createElement("li");
        none.setAttribute("role", "none");
        none.className = "small text-muted px-2";
        none.textContent = "没有下级组织";
        list.appendChild(none);
      }
      list.dataset.loaded = "1";
    }).catch(function () {
      loading.textContent = "加载失败，请重试";
    });
  }
  function visibleItems(w) {
    return Array.prototype.filter.call(parts(w).treeview.querySelectorAll("[role=treeitem]"), function (li) {
      return !li.parentElement.closest("[hidden]");
    });
  }
  function focusItem(w, li) {
    if (!li) return;
    parts(w).treeview.querySelectorAll("[role=treeitem]").forEach(function (x) { x.setAttribute("tabindex", "-1"); });
    li.setAttribute("tabindex", "0");
    li.focus();
    li.scrollIntoView({block: "nearest"});
  }
  function expand(w, li) {
    var group = li.querySelector(":scope > [role=group]");
    if (!group) return Promise.resolve();
    li.setAttribute("aria-expanded", "true");
    group.hidden = false;
    if (group.dataset.loaded || group.dataset.loading) return Promise.resolve();
    group.dataset.loading = "1";
    return loadLevel(w, group, li.dataset.id, 0, Number(li.getAttribute("aria-level")) + 1);
  }
  function collapse(li) {
    var group = li.querySelector(":scope > [role=group]");
    if (!group) return;
    li.setAttribute("aria-expanded", "false");
    group.hidden = true;
  }
  function loadMore(w, li) {
    var list = li.parentElement, level = Number(li.getAttribute("aria-level"));
    var parentId = li.dataset.parent === "" ? null : li.dataset.parent;
    var prev = li.previousElementSibling;
    li.remove();
    return loadLevel(w, list, parentId, Number(li.dataset.offset), level).then(function () {
      focusItem(w, prev ? prev.nextElementSibling : list.querySelector("[role=treeitem]"));
    });
  }
  function openTree(w) {
    var p = parts(w);
    closeResults(w);
    p.tree.hidden = false;
    p.toggle.setAttribute("aria-expanded", "true");
    var ready = p.treeview.dataset.loaded ? Promise.resolve() : loadLevel(w, p.treeview, null, 0, 1);
    ready.then(function () {
      var first = p.treeview.querySelector("[role=treeitem]");
      // A single top organization is opened at once: people pick below their own organization.
      if (first && p.treeview.querySelectorAll(":scope > [role=treeitem]").length === 1 && first.getAttribute("aria-expanded") === "false") {
        return expand(w, first).then(function () { focusItem(w, first); });
      }
      focusItem(w, first);
    });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var toggle = t.closest("[data-org-tree-toggle]");
    if (toggle) {
      var w = widgetOf(toggle);
      if (parts(w).tree.hidden) openTree(w); else closeTree(w, true);
      return;
    }
    var closer = t.closest("[data-org-tree-close]");
    if (closer) { closeTree(widgetOf(closer), true); return; }
    var opt = t.closest(".org-picker-results [role=option]");
    if (opt) { choose(widgetOf(opt), JSON.parse(opt.dataset.org)); return; }
    var item = t.closest(".org-picker-treeview [role=treeitem]");
    if (item) {
      var wi = widgetOf(item);
      if (item.dataset.more) { loadMore(wi, item); return; }
      if (t.closest(".org-tree-caret") && item.hasAttribute("aria-expanded")) {
        if (item.getAttribute("aria-expanded") === "true") collapse(item); else expand(wi, item);
        focusItem(wi, item);
        return;
      }
      choose(wi, JSON.parse(item.dataset.org));
      return;
    }
    // A click elsewhere closes open suggestion lists and trees (not the one clicked in).
    document.querySelectorAll("[data-org-picker-widget]").forEach(function (w) {
      if (w.contains(t)) return;
      if (!parts(w).results.hidden) closeResults(w);
      closeTree(w, false);
    });
  });

  document.addEventListener("keydown", function (ev) {
    var li = ev.target.closest && ev.target.closest(".org-picker-treeview [role=treeitem]");
    if (!li || ev.target !== li) return;
    var w = widgetOf(li), items = visibleItems(w), i = items.indexOf(li);
    var expanded = li.getAttribute("aria-expanded");
    switch (ev.key) {
      case "ArrowDown": focusItem(w, items[i + 1]); break;
      case "ArrowUp": focusItem(w, items[i - 1]); break;
      case "Home": focusItem(w, items[0]); break;
      case "End": focusItem(w, items[items.length - 1]); break;
      case "ArrowRight":
        if (expanded === "false") expand(w, li);
        else if (expanded === "true") {
          var group = li.querySelector(":scope > [role=group]");
          var first = group && group.querySelector(":scope > [role=treeitem]");
          if (first) focusItem(w, first);
        }
        break;
      case "ArrowLeft":
        if (expanded === "true") collapse(li);
        else {
          var parent = li.parentElement.closest("[role=treeitem]");
          if (parent) focusItem(w, parent);
        }
        break;
      case "Enter":
      case " ":
        if (li.dataset.more) loadMore(w, li); else choose(w, JSON.parse(li.dataset.org));
        break;
      case "Escape": closeTree(w, true); break;
      case "Tab": closeTree(w, false); return;
      default: return;
    }
    ev.preventDefault();
  });
})();
