// copyright.js: the copyright pages with scripts. The register page hashes
// the chosen file in the browser (hash.js), then uploads it with a progress
// bar, or registers only its hash; a refusal shows the original
// registration. The search page finds the work of a file hashed locally (it
// is never uploaded). Without scripts both pages are plain forms; this only
// enhances elements marked data-register and data-search.
(function () {
  "use strict";
  const H = window.ChanceryHash;
  const el = H.el;

  // lines are the non-blank lines of a textarea, trimmed.
  function lines(text) {
    return text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  }

  // holders reads the holders field as the server reads it for an upload:
  // one a line, ADDRESS SHARES [NAME], the shares a whole number of basis
  // points (commas allowed). A line it would refuse is refused here with
  // its words, so "Hash only" and "Upload" agree.
  function holders(text) {
    return lines(text).map((l, i) => {
      const [account, shares, ...name] = l.split(/\s+/);
      if (shares === undefined) throw new Error(`holders line ${i + 1}: write ADDRESS SHARES [NAME], got "${l}"`);
      const digits = shares.replace(/,/g, "");
      if (!/^[0-9]+$/.test(digits)) {
        throw new Error(`holders line ${i + 1}: shares must be a whole number of basis points, got "${shares}"`);
      }
      return { account, shares: Number(digits), name: name.join(" ") };
    });
  }

  // Register page.

  function initRegister(form) {
    const f = form.elements;
    const title = (file) => f.title.value.trim() || H.fileTitle(file.name);
    H.fileForm(form, "/api/v1/works", {
      fields: (file) => {
        const v = {};
        for (const name of ["kind", "created", "authors", "holders", "description"]) v[name] = f[name].value;
        v.title = title(file);
        return v;
      },
      hashOnly: (file, sum) => ({
        sha256: sum, title: title(file), kind: f.kind.value, created: f.created.value, description: f.description.value,
        authors: lines(f.authors.value).map((name) => ({ name })), holders: holders(f.holders.value),
      }),
      outcome,
    });
    form.querySelector("[data-js-hint]").hidden = false;
  }

  // outcome shows the API's answer to a registration.
  function outcome(res) {
    const b = res.body || {};
    switch (res.status) {
      case 201:
        return H.flash("success", `Registered as work ${b.id} at ${H.formatTime(b.time)}, height ${b.height}.`,
          el("a", { href: b.url, "data-work-link": "" }, "View the work"),
          el("a", { href: b.url + "/certificate" }, "Certificate"));
      case 202:
        return H.flash("info", `Submitted: tx ${b.tx_hash} is waiting for a block.`, el("a", { href: "/txs/" + b.tx_hash }, "Track it"));
      case 409:
        if (b.original) return refused(b.original);
    }
    return H.flash("error", H.errorText(res));
  }

  // refused shows the registration that came first: its block time is the
  // proof of priority.
  function refused(w) {
    return H.flash("error",
      el("strong", {}, "Refused: this content is already registered."),
      el("div", { class: "original", "data-original": "" },
        "Registered first as",
        el("a", { href: w.url, "data-original-link": "" }, `work ${w.id} “${w.title}”`),
        ` by ${w.org_name} at ${H.formatTime(w.time)} (height ${w.height}). That registration is the priority proof.`));
  }

  // Search page: the work of a file, hashed here and looked up by hash.

  function initSearch(root) {
    const form = root.querySelector("[data-search-form]");
    H.pickFile(root, root.querySelector("[data-search-file]"), (sum) => {
      form.elements.q.value = sum;
      form.submit(); // the server answers the hash as it answers any search
    });
  }

  document.querySelectorAll("form[data-register]").forEach(initRegister);
  document.querySelectorAll("[data-search]").forEach(initSearch);
})();
