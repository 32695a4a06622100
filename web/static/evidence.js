// evidence.js: the evidence pages with scripts. The deposit page hashes the
// chosen file in the browser (hash.js) and then uploads it with a progress
// bar or deposits only its hash; the verify page hashes a file locally (it is
// never uploaded) and asks /api/v1/verify. Without scripts both pages work
// as plain forms; this only enhances elements marked data-deposit and
// data-verify.
(function () {
  "use strict";
  const H = window.ChanceryHash;

  // el builds an element: attributes, then children (nodes or text).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  }

  // progress returns an onProgress(done, total) that fills bar and label.
  function progress(bar, label, verb) {
    return (done, total) => {
      bar.max = total || 1;
      bar.value = total ? done : 1;
      const pct = total ? Math.floor((done * 100) / total) : 100;
      label.textContent = `${verb} ${pct}% · ${H.formatBytes(done)} of ${H.formatBytes(total)}`;
    };
  }

  // message is a flash-like box, with a link when href is given.
  function message(kind, text, href, linkText, linkAttrs) {
    const box = el("div", { class: "flash " + kind, role: kind === "error" ? "alert" : "status" }, text);
    if (href) box.append(" ", el("a", Object.assign({ href }, linkAttrs || {}), linkText || "Details"));
    return box;
  }

  function errorText(res) {
    const e = res.body && res.body.error;
    return e ? e.message : `The server answered ${res.status}.`;
  }

  // Deposit page.

  function initDeposit(form) {
    const q = (sel) => form.querySelector(sel);
    const input = q('input[type="file"]');
    const panel = q("[data-hashing]"), bar = q("[data-hash-progress]"), status = q("[data-hash-status]"), value = q("[data-hash-value]");
    const buttons = form.querySelectorAll('button[type="submit"]');
    const upRow = q("[data-uploading]"), upBar = q("[data-upload-progress]"), upStatus = q("[data-upload-status]");
    const result = q("[data-result]");
    q("[data-hash-only]").hidden = false;

    let hashing = null; // the promise of the chosen file's SHA-256
    input.addEventListener("change", () => {
      result.replaceChildren();
      upRow.hidden = true;
      const file = input.files[0];
      panel.hidden = !file;
      delete panel.dataset.done;
      hashing = null;
      if (!file) return;
      value.textContent = "";
      const p = H.hashBlob(file, progress(bar, status, "Hashing"));
      hashing = p;
      p.then((sum) => {
        if (hashing !== p) return;
        value.textContent = sum;
        status.textContent = `Hashed ${H.formatBytes(file.size)} in your browser.`;
        panel.dataset.done = "";
      }, (err) => {
        if (hashing === p) status.textContent = "Could not read the file: " + err.message;
      });
    });

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const file = input.files[0];
      if (!file || !hashing) return;
      const hashOnly = ev.submitter && ev.submitter.value === "hash";
      buttons.forEach((b) => { b.disabled = true; });
      result.replaceChildren();
      try {
        const sum = await hashing;
        const title = form.elements.title.value.trim();
        const meta = { case_ref: form.elements.case_ref.value.trim(), description: form.elements.description.value };
        let res;
        if (hashOnly) {
          res = await H.postJSON("/api/v1/evidence", Object.assign({
            sha256: sum, size: file.size, media_type: file.type, file_name: file.name, title: title || file.name,
          }, meta));
        } else {
          const data = new FormData();
          data.set("title", title);
          data.set("case_ref", meta.case_ref);
          data.set("description", meta.description);
          data.set("file", file); // last: the metadata is read before the file streams
          upRow.hidden = false;
          // The server checks the content against the hash computed here.
          res = await H.upload("/api/v1/evidence?sha256=" + sum, data, progress(upBar, upStatus, "Uploading"));
          if (res.status < 300) upStatus.textContent = `Uploaded ${H.formatBytes(file.size)}.`;
        }
        result.replaceChildren(depositOutcome(res));
      } catch (err) {
        result.replaceChildren(message("error", err.message));
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
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
    return message("error", errorText(res));
  }

  // Verify page.

  function initVerify(root) {
    const q = (sel) => root.querySelector(sel);
    const input = q("[data-verify-file]");
    const panel = q("[data-hashing]"), bar = q("[data-hash-progress]"), status = q("[data-hash-status]");
    const field = q("[data-verify-form]").elements.sha256;
    const out = document.querySelector("[data-verify-result]");
    q("[data-pick]").hidden = false;

    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      panel.hidden = false;
      out.replaceChildren();
      try {
        const sum = await H.hashBlob(file, progress(bar, status, "Hashing"));
        field.value = sum;
        status.textContent = `Hashed ${H.formatBytes(file.size)} in your browser; the file was not uploaded.`;
        const res = await H.postJSON("/api/v1/verify", { sha256: sum });
        if (res.status !== 200 || !res.body) {
          out.replaceChildren(message("error", errorText(res)));
          return;
        }
        out.replaceChildren(verifyResult(res.body));
        // A reload shows the same result, rendered by the server.
        history.replaceState(null, "", "/evidence/verify?sha256=" + sum);
      } catch (err) {
        out.replaceChildren(message("error", err.message));
      }
    });
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
    row("Block time", time(r.time));
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

  // time formats an RFC 3339 time as the pages do: "2026-01-02 15:04:05 UTC".
  function time(s) {
    return new Date(s).toISOString().slice(0, 19).replace("T", " ") + " UTC";
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
