// The resident card: follows the call and the timeline live, fills the SMS text from a
// template, shows the callback fields only for "Terugbellen op", and offers shortcut keys.
(function () {
  var live = document.getElementById("kaart-live");
  if (live && window.EventSource) {
    var source = new EventSource(live.getAttribute("data-live"));
    source.addEventListener("kaart", function (event) { live.innerHTML = event.data; });
  }

  var template = document.getElementById("sjabloon");
  if (template) {
    template.addEventListener("change", function () {
      var text = document.getElementById(template.getAttribute("data-fills"));
      if (template.value) { text.value = template.value; }
      text.focus();
    });
  }

  var form = document.getElementById("afrondformulier");
  if (!form) { return; }
  var callBack = document.getElementById("terugbellen");
  function showCallBack() {
    var chosen = form.querySelector("input[name=resultaat]:checked");
    callBack.hidden = !(chosen && chosen.value === "call_back");
  }
  form.addEventListener("change", showCallBack);
  form.addEventListener("submit", function () {
    // A second click would only be refused: show it is on its way.
    window.setTimeout(function () { document.getElementById("vastleggen").disabled = true; }, 0);
  });
  showCallBack();

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (form.contains(event.target)) {  // not from the SMS text, say
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) && event.target.type !== "radio";
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var choice = form.querySelector('input[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (choice) {
      event.preventDefault();
      choice.checked = true;
      choice.focus();
      showCallBack();
    }
  });
})();
