// 控制台: the little the pages do in the browser (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var ACCEPTED = [".pdf", ".ofd", ".docx"];
  var zh = document.documentElement.lang.indexOf("zh") === 0;
  function megabytes(bytes) { return (bytes / 1048576).toFixed(1) + "M"; }
  // Type and size are checked before the upload (the service checks the content again).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    var form = input.form, message = form && form.querySelector(".file-check");
    if (!message) { return; }
    var file = input.files && input.files[0], problem = "";
    if (file) {
      var name = file.name.toLowerCase();
      var left = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
      if (!ACCEPTED.some(function (ext) { return name.endsWith(ext); })) {
        problem = zh ? "只接受PDF、OFD、Word（.docx）文件" : "Only PDF, OFD or Word (.docx) files";
      } else if (left && file.size > left) {
        problem = (zh ? "超过剩余容量 " : "Larger than the room left: ") + megabytes(left);
      }
    }
    message.textContent = problem;
    input.setCustomValidity(problem);
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof HTMLElement && target.hasAttribute("data-print")) { window.print(); }
  });
})();
