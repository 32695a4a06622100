// evidence.js: the evidence pages with scripts. The deposit page hashes the
// chosen file in the browser (hash.js) and then uploads it with a progress
// bar or deposits only its hash; the verify page hashes a file locally (it is
// never uploaded) and asks /api/v1/verify. Without scripts both pages work
// as plain forms; this only enhances elements marked data-deposit and
// data-verify.
(function () {
  "use strict";
  const H = window.ChanceryHash;
  const el = H.el;

  // message is a flash-like box, with a link when href is given.
  function message(kind, text, href, linkText, linkAttrs) {
    const box = H.flash(kind, text);
    if (href) box.append(" ", el("a", Object.assign({ href }, linkAttrs || {}), linkText || "Details"));
    return box;
  }

  // Deposit page.

  function initDeposit(form) {
    const f = form.elements;
    const title = () => f.title.value.trim();
    const meta = () => ({ case_ref: f.case_ref.value.trim(), description: f.description.value });
    H.fileForm(form, "/api/v1/evidence", {
      fields: () => Object.assign({ title: title() }, meta()),
      hashOnly: (file, sum) => Object.assign({
        sha256: sum, size: file.size, media_type: file.type, file_name: file.name, title: title() || H.fileTitle(file.name),
      }, meta()),
      outcome: depositOutcome,
    });
  }

  // depositOutcome shows the API's answer to a deposit.
  function depositOutcome(res) {
    const b = res.body || {};
    switch (res.status) {
      case 201:
        return message("success", `Deposited as evidence ${b.id}, committed at height ${b.height}.`,
          "/evidence/" + b.id, "View evidence", { "data-evidence-link": "" });
      case 202:
        return message("info", `Submitted: tx ${b.tx_hash} is waiting for a block.`, "/txs/" + b.tx_hash, "Track it");
      case 409:
        if (b.existing) {
          return message("error", `Your organisation already deposited this content as evidence ${b.existing.id}.`,
            "/evidence/" + b.existing.id, "View evidence", { "data-evidence-link": "" });
        }
    }
    return message("error", H.errorText(res));
  }

  // Verify page.

  function initVerify(root) {
    const input = root.querySelector("[data-verify-file]");
    const field = root.querySelector("[data-verify-form]").elements.sha256;
    const out = document.querySelector("[data-verify-result]");
    // A file picked clears the last file's result before it is hashed.
    input.addEventListener("change", () => { if (input.files[0]) out.replaceChildren(); });
    H.pickFile(root, input, async (sum) => {
      field.value = sum;
      const res = await H.postJSON("/api/v1/verify", { sha256: sum });
      if (res.status !== 200 || !res.body) {
        out.replaceChildren(message("error", H.errorText(res)));
        return;
      }
      out.replaceChildren(verifyResult(res.body));
      // A reload shows the same result, rendered by the server.
      history.replaceState(null, "", "/evidence/verify?sha256=" + sum);
    }, (err) => out.replaceChildren(message("error", err.message)));
  }

  // verifyResult is the markup of the page's VerifyResult (pages.templ),
  // built from the API's answer.
  function verifyResult(v) {
    const n = v.records.length;
    const sec = el("section", { class: "card verify-result " + (v.found ? "found" : "not-found") },
      el("h2", {}, v.found ? `Found: ${n} deposit${n === 1 ? "" : "s"}` : "Not found"),
      el("p", { class: "mono digest" }, v.sha256));
    if (!v.found) {
      sec.append(el("p", {}, "No deposit of this hash is on the chain: the file was never deposited, or it differs from the deposited file."));
    }
    for (const r of v.records) sec.append(record(r));
    return sec;
  }

  function record(r) {
    const dl = el("dl", { class: "fields" });
    const row = (dt, ...dd) => dl.append(el("dt", {}, dt), el("dd", {}, ...dd));
    row("Depositor", el("a", { href: "/members/orgs/" + encodeURIComponent(r.org) }, r.org), " ",
      el("span", { class: "muted" }, "·"), " ", hexShort(r.depositor));
    row("Block time", H.formatTime(r.time));
    row("Height", el("a", { href: "/blocks/" + r.height }, String(r.height)));
    row("Attestations", String(r.attestation_list.length), ...r.attestation_list.map((a) => el("span", { class: "tag" }, a.org)));
    const entries = r.custody_log.length;
    row("Custody log", `${entries} ${entries === 1 ? "entry" : "entries"}`);
    if (r.withdrawn) row("Withdrawn", `at height ${r.withdrawn.height}: ${r.withdrawn.reason}`);
    const name = `evidence-${r.id}-receipt.json`;
    row("Receipt", el("a", { href: r.receipt_url, download: name, "data-receipt": "" }, name));
    const badge = r.withdrawn ? el("span", { class: "badge withdrawn" }, "withdrawn") : el("span", { class: "badge active" }, "active");
    return el("article", { class: "record" },
      el("h3", {}, el("a", { href: "/evidence/" + r.id }, `Evidence ${r.id}: ${r.title}`), badge),
      dl);
  }

  // hexShort abbreviates a long hex value as the pages do, the whole in its
  // title.
  function hexShort(s) {
    const short = s.length <= 16 ? s : s.slice(0, 10) + "…" + s.slice(-6);
    return el("span", { class: "mono", title: s }, short);
  }

  document.querySelectorAll("form[data-deposit]").forEach(initDeposit);
  document.querySelectorAll("[data-verify]").forEach(initVerify);
})();
