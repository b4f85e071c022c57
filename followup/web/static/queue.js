// Keeps the queue's lists current: the server sends them again whenever they change.
(function () {
  var lists = document.getElementById("wachtrij");
  var status = document.getElementById("live-status");
  if (!lists || !window.EventSource) { return; }
  var source = new EventSource(lists.getAttribute("data-live"));
  source.addEventListener("wachtrij", function (event) {
    lists.innerHTML = event.data;
    status.textContent = "De lijsten zijn bijgewerkt.";
  });
  source.onerror = function () {
    status.textContent = "Geen verbinding. De pagina probeert het opnieuw.";
  };
})();
