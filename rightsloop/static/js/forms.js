// Enhancements of plain forms, all optional: every form works the same without JavaScript.
// 1. A long list (select[multiple][data-searchable], core.widgets.SearchableSelectMultiple) gets a box to type in
//    that filters its options, and a line saying what is chosen. The native list stays the control, with its own
//    label and keyboard use (docs/adr/0004-searchable-lists.md).
// 2. A field that applies to one kind only (data-shown-for="<field>:<value> <value>…", on the field's input or on
//    a wrapper) is hidden while the form says another kind. Without JavaScript it shows, with a note saying when
//    it applies.
// 3. Theme suggestions (input[data-tags]) follow each name typed after a comma.
// Loaded from a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function searchable(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[multiple][data-searchable]"), function (select) {
      if (select.hasAttribute("data-searchable-ready")) {
        return;
      }
      select.setAttribute("data-searchable-ready", "");
      var filter = document.createElement("input");
      filter.type = "search";
      filter.className = "list-filter";
      filter.placeholder = select.getAttribute("data-filter-placeholder") || "";
      filter.setAttribute("aria-label", filter.placeholder);
      filter.setAttribute("aria-controls", select.id);
      var chosen = document.createElement("p");
      chosen.className = "list-chosen muted";
      chosen.setAttribute("aria-live", "polite");
      select.parentNode.insertBefore(filter, select);
      select.parentNode.insertBefore(chosen, select.nextSibling);
      function showChosen() {
        var names = Array.prototype.map.call(select.selectedOptions, function (option) { return option.text; });
        chosen.textContent = names.length ? (select.getAttribute("data-chosen-label") || "") + " " + names.join(", ") : "";
      }
      filter.addEventListener("input", function () {
        var wanted = folded(filter.value.trim());
        Array.prototype.forEach.call(select.options, function (option) {
          // What is chosen stays in sight, so filtering never hides a choice already made.
          option.hidden = wanted !== "" && !option.selected && folded(option.text).indexOf(wanted) === -1;
        });
      });
      // Enter in the filter box must not send the form.
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
        }
      });
      select.addEventListener("change", showChosen);
      showChosen();
    });
  }

  function controlValues(form, name) {
    var values = [];
    Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions, function (option) { values.push(option.value); });
      } else {
        values.push(input.value);
      }
    });
    return values;
  }

  function showForKind(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-shown-for]"), function (element) {
      var form = element.form || element.closest("form");
      var rule = element.getAttribute("data-shown-for").split(":");
      if (!form || rule.length !== 2 || element.hasAttribute("data-shown-for-ready")) {
        return;
      }
      element.setAttribute("data-shown-for-ready", "");
      var name = rule[0];
      var wanted = rule[1].split(" ");
      var target = element.matches("input, select, textarea") ? (element.closest(".field") || element) : element;
      function update() {
        target.hidden = !controlValues(form, name).some(function (value) { return wanted.indexOf(value) !== -1; });
      }
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === name) {
          update();
        }
      });
      target.classList.add("shown-for-kind");
      update();
    });
  }

  // A themes box takes several names separated by commas; a <datalist> suggests whole values, so the suggestions
  // are rewritten to what is typed up to the last comma followed by each theme not yet given.
  function tagSuggestions(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input[data-tags][list]"), function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      if (!list || input.hasAttribute("data-tags-ready")) {
        return;
      }
      input.setAttribute("data-tags-ready", "");
      if (!list.tagNames) {
        list.tagNames = Array.prototype.map.call(list.options, function (option) { return option.value; });
      }
      function suggest() {
        var value = input.value;
        var cut = value.lastIndexOf(",");
        var prefix = cut === -1 ? "" : value.slice(0, cut + 1).trim() + " ";
        var given = value.split(",").map(function (part) { return folded(part.trim()); });
        list.replaceChildren.apply(list, list.tagNames.filter(function (name) {
          return given.slice(0, -1).indexOf(folded(name)) === -1;
        }).map(function (name) {
          var option = document.createElement("option");
          option.value = prefix + name;
          return option;
        }));
      }
      input.addEventListener("input", suggest);
      input.addEventListener("focus", suggest);
    });
  }

  function enhance(root) {
    searchable(root);
    showForKind(root);
    tagSuggestions(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  // Parts of pages that htmx swaps in (a re-rendered form) are enhanced too.
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
