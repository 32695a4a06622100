// copyright.js: the copyright pages with scripts. The register page hashes
// the chosen file in the browser (hash.js), then uploads it with a progress
// bar, or registers only its hash; a refusal shows the original
// registration. The search page finds the work of a file hashed locally (it
// is never uploaded). Without scripts both pages are plain forms; this only
// enhances elements marked data-register and data-search.
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

  function box(kind, ...children) {
    return el("div", { class: "flash " + kind, role: kind === "error" ? "alert" : "status" }, ...children);
  }

  // time formats an RFC 3339 time as the pages do: "2026-01-02 15:04:05 UTC".
  function time(s) {
    return new Date(s).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  // lines are the non-blank lines of a textarea, trimmed.
  function lines(text) {
    return text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  }

  // holders reads the holders field as the server reads it: one a line,
  // ADDRESS SHARES [NAME].
  function holders(text) {
    return lines(text).map((l) => {
      const [account, shares, ...name] = l.split(/\s+/);
      return { account, shares: Number((shares || "").replace(/,/g, "")), name: name.join(" ") };
    });
  }

  // Register page.

  function initRegister(form) {
    const q = (sel) => form.querySelector(sel);
    const input = q('input[type="file"]');
    const panel = q("[data-hashing]"), bar = q("[data-hash-progress]"), status = q("[data-hash-status]"), value = q("[data-hash-value]");
    const buttons = form.querySelectorAll('button[type="submit"]');
    const upRow = q("[data-uploading]"), upBar = q("[data-upload-progress]"), upStatus = q("[data-upload-status]");
    const result = q("[data-result]");
    q("[data-hash-only]").hidden = false;
    q("[data-js-hint]").hidden = false;

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
      const hashOnly = ev.submitter && ev.submitter.hasAttribute("data-hash-only");
      buttons.forEach((b) => { b.disabled = true; });
      result.replaceChildren();
      try {
        const sum = await hashing;
        const f = form.elements;
        const title = f.title.value.trim() || file.name;
        let res;
        if (hashOnly) {
          res = await H.postJSON("/api/v1/works", {
            sha256: sum, title, kind: f.kind.value, created: f.created.value, description: f.description.value,
            authors: lines(f.authors.value).map((name) => ({ name })), holders: holders(f.holders.value),
          });
        } else {
          const data = new FormData();
          for (const name of ["kind", "created", "authors", "holders", "description"]) data.set(name, f[name].value);
          data.set("title", title);
          data.set("file", file); // last: the fields are read before the file streams
          upRow.hidden = false;
          // The server checks the content against the hash computed here.
          res = await H.upload("/api/v1/works?sha256=" + sum, data, progress(upBar, upStatus, "Uploading"));
          if (res.status < 300) upStatus.textContent = `Uploaded ${H.formatBytes(file.size)}.`;
        }
        result.replaceChildren(outcome(res));
      } catch (err) {
        result.replaceChildren(box("error", err.message));
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }

  // outcome shows the API's answer to a registration.
  function outcome(res) {
    const b = res.body || {};
    switch (res.status) {
      case 201:
        return box("success", `Registered as work ${b.id} at ${time(b.time)}, height ${b.height}.`,
          el("a", { href: b.url, "data-work-link": "" }, "View the work"),
          el("a", { href: b.url + "/certificate" }, "Certificate"));
      case 202:
        return box("info", `Submitted: tx ${b.tx_hash} is waiting for a block.`, el("a", { href: "/txs/" + b.tx_hash }, "Track it"));
      case 409:
        if (b.original) return refused(b.original);
    }
    const e = b.error;
    return box("error", e ? e.message : `The server answered ${res.status}.`);
  }

  // refused shows the registration that came first: its block time is the
  // proof of priority.
  function refused(w) {
    return box("error",
      el("strong", {}, "Refused: this content is already registered."),
      el("div", { class: "original", "data-original": "" },
        "Registered first as",
        el("a", { href: w.url, "data-original-link": "" }, `work ${w.id} “${w.title}”`),
        ` by ${w.org_name} at ${time(w.time)} (height ${w.height}). That registration is the priority proof.`));
  }

  // Search page: the work of a file, hashed here and looked up by hash.

  function initSearch(root) {
    const q = (sel) => root.querySelector(sel);
    const input = q("[data-search-file]");
    const panel = q("[data-hashing]"), bar = q("[data-hash-progress]"), status = q("[data-hash-status]");
    const form = q("[data-search-form]");
    q("[data-pick]").hidden = false;

    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      panel.hidden = false;
      try {
        const sum = await H.hashBlob(file, progress(bar, status, "Hashing"));
        status.textContent = `Hashed ${H.formatBytes(file.size)} in your browser; the file was not uploaded.`;
        form.elements.q.value = sum;
        form.submit(); // the server answers the hash as it answers any search
      } catch (err) {
        status.textContent = "Could not read the file: " + err.message;
      }
    });
  }

  document.querySelectorAll("form[data-register]").forEach(initRegister);
  document.querySelectorAll("[data-search]").forEach(initSearch);
})();
