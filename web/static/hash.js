// hash.js: SHA-256 of files in the browser, uploads with progress, and the
// panel of the apps' file forms built on them. Ours, no libraries. Pages
// load it with <script defer> and use window.ChanceryHash; without scripts
// they fall back to plain forms.
//
// Web Crypto (crypto.subtle.digest) hashes one whole buffer, so a 1 GiB file
// would first have to be read into memory. This is SHA-256 (FIPS 180-4)
// written to take its input piece by piece: hashBlob reads a file 4 MiB at a
// time with Blob.slice, and memory stays flat whatever the file's size.
(function (global) {
  "use strict";

  // K: the first 32 bits of the fractional parts of the cube roots of the
  // first 64 primes.
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  // IV: the first 32 bits of the fractional parts of the square roots of
  // the first 8 primes.
  const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  const rotr = (x, n) => (x >>> n) | (x << (32 - n));

  // Sha256 hashes input given in any number of pieces: update(bytes) as
  // often as needed, then hex() once. Arithmetic is on 32-bit words: "| 0"
  // wraps sums, and the Uint32Arrays wrap what is stored in them.
  class Sha256 {
    constructor() {
      this.state = new Uint32Array(IV);
      this.pending = new Uint8Array(64); // input short of a whole block
      this.pendingLen = 0;
      this.length = 0; // bytes hashed so far
      this.w = new Uint32Array(64); // the message schedule, reused
    }

    // update hashes bytes (a Uint8Array) and returns the hash.
    update(bytes) {
      let i = 0;
      const n = bytes.length;
      this.length += n;
      if (this.pendingLen > 0) {
        i = Math.min(64 - this.pendingLen, n);
        this.pending.set(bytes.subarray(0, i), this.pendingLen);
        this.pendingLen += i;
        if (this.pendingLen < 64) return this;
        this.block(this.pending, 0);
        this.pendingLen = 0;
      }
      for (; i + 64 <= n; i += 64) this.block(bytes, i);
      if (i < n) {
        this.pending.set(bytes.subarray(i), 0);
        this.pendingLen = n - i;
      }
      return this;
    }

    // block mixes the 64 bytes of p at off into the state.
    block(p, off) {
      const w = this.w, s = this.state;
      for (let t = 0; t < 16; t++, off += 4) {
        w[t] = (p[off] << 24) | (p[off + 1] << 16) | (p[off + 2] << 8) | p[off + 3];
      }
      for (let t = 16; t < 64; t++) {
        const x = w[t - 15], y = w[t - 2];
        const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
        const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
      }
      let a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
      for (let t = 0; t < 64; t++) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0;
        d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      s[0] += a; s[1] += b; s[2] += c; s[3] += d;
      s[4] += e; s[5] += f; s[6] += g; s[7] += h;
    }

    // hex pads the input, finishes the hash and returns it as 64 lowercase
    // hex characters. The padding is a 1 bit, zeros, and the input's length
    // in bits as a 64-bit big-endian number, to a multiple of 64 bytes.
    hex() {
      const bytes = this.length;
      const pad = new Uint8Array((this.pendingLen < 56 ? 64 : 128) - this.pendingLen);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bytes / 0x20000000)); // bits / 2^32
      view.setUint32(pad.length - 4, (bytes * 8) >>> 0); // bits mod 2^32
      this.update(pad);
      let out = "";
      for (const word of this.state) out += word.toString(16).padStart(8, "0");
      return out;
    }
  }

  // CHUNK is how much of a file is read and hashed at a time.
  const CHUNK = 4 << 20;

  // hashBlob resolves to the SHA-256 of a Blob or File, read chunk by chunk.
  // onProgress(done, total), if given, is called before the first chunk and
  // after each; chunkSize defaults to CHUNK.
  async function hashBlob(blob, onProgress, chunkSize) {
    const size = chunkSize || CHUNK;
    const h = new Sha256();
    if (onProgress) onProgress(0, blob.size);
    for (let off = 0; off < blob.size; off += size) {
      const end = Math.min(off + size, blob.size);
      h.update(new Uint8Array(await blob.slice(off, end).arrayBuffer()));
      if (onProgress) onProgress(end, blob.size);
    }
    return h.hex();
  }

  // sha256Hex is the SHA-256 of a string (as UTF-8) or a Uint8Array.
  function sha256Hex(data) {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return new Sha256().update(bytes).hex();
  }

  // csrfToken is the page's CSRF token, which calls to the API made with
  // the session cookie send in X-CSRF-Token.
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // upload POSTs a FormData with the session cookie and the CSRF token,
  // reporting onProgress(sent, total) as the body goes out. It resolves to
  // {status, body} (body: the parsed JSON answer, or null) and rejects only
  // when no answer came.
  function upload(url, form, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      if (onProgress) {
        xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
      }
      xhr.onload = () => resolve({ status: xhr.status, body: parseJSON(xhr.responseText) });
      xhr.onerror = () => reject(new Error("the connection failed before the server answered"));
      xhr.send(form);
    });
  }

  // postJSON POSTs value as JSON, like upload.
  async function postJSON(url, value) {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(value),
    });
    return { status: res.status, body: parseJSON(await res.text()) };
  }

  function parseJSON(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  // formatBytes shows a size as the pages do: "6.0 MiB".
  function formatBytes(n) {
    if (n < 1024) return n + " B";
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let v = n / 1024, u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return v.toFixed(1) + " " + units[u];
  }

  // formatTime shows an RFC 3339 time as the pages do:
  // "2026-01-02 15:04:05 UTC".
  function formatTime(s) {
    return new Date(s).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  // The file forms of the apps' pages (pages.templ): the markup is the
  // pages', marked with data- attributes; the API calls and what to show of
  // their answers are each app's.

  // el builds an element: attributes, then children (nodes or text).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    e.append(...children);
    return e;
  }

  // flash is a message box like the server's flash messages.
  function flash(kind, ...children) {
    return el("div", { class: "flash " + kind, role: kind === "error" ? "alert" : "status" }, ...children);
  }

  // errorText is the message of an API's error answer.
  function errorText(res) {
    const e = res.body && res.body.error;
    return e ? e.message : `The server answered ${res.status}.`;
  }

  // progress returns an onProgress(done, total) that fills bar and label.
  function progress(bar, label, verb) {
    return (done, total) => {
      bar.max = total || 1;
      bar.value = total ? done : 1;
      const pct = total ? Math.floor((done * 100) / total) : 100;
      label.textContent = `${verb} ${pct}% · ${formatBytes(done)} of ${formatBytes(total)}`;
    };
  }

  // fileForm enhances a form that sends a file to the API at url. The file
  // chosen is hashed here at once, with progress ([data-hashing]: its
  // [data-hash-progress], [data-hash-status] and [data-hash-value]; the
  // panel gets data-done with the hash). On submit the file is uploaded to
  // url?sha256=SUM with progress ([data-uploading]), the server checking the
  // content against the hash; or, from the [data-hash-only] button, which
  // needs this script and is revealed, only its hash is posted as JSON.
  // opts are the app's: fields(file) the other fields of an upload, sent
  // before the file; hashOnly(file, sum) the JSON of a hash-only request;
  // outcome(res) what [data-result] shows of the answer.
  function fileForm(form, url, opts) {
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
      const p = hashBlob(file, progress(bar, status, "Hashing"));
      hashing = p;
      p.then((sum) => {
        if (hashing !== p) return;
        value.textContent = sum;
        status.textContent = `Hashed ${formatBytes(file.size)} in your browser.`;
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
        let res;
        if (hashOnly) {
          res = await postJSON(url, opts.hashOnly(file, sum));
        } else {
          const data = new FormData();
          for (const [name, v] of Object.entries(opts.fields(file))) data.set(name, v);
          data.set("file", file); // last: the fields are read before the file streams
          upRow.hidden = false;
          // The server checks the content against the hash computed here.
          res = await upload(url + "?sha256=" + sum, data, progress(upBar, upStatus, "Uploading"));
          if (res.status < 300) upStatus.textContent = `Uploaded ${formatBytes(file.size)}.`;
        }
        result.replaceChildren(opts.outcome(res));
      } catch (err) {
        result.replaceChildren(flash("error", err.message));
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
  }

  // pickFile enhances root's [data-pick] panel, which needs this script and
  // is revealed: the file picked in input is hashed here, with progress
  // ([data-hashing]), and never uploaded; then hashed(sum) runs. A failure
  // of either goes to failed(err), if given, else to the panel's status.
  function pickFile(root, input, hashed, failed) {
    const q = (sel) => root.querySelector(sel);
    const panel = q("[data-hashing]"), bar = q("[data-hash-progress]"), status = q("[data-hash-status]");
    q("[data-pick]").hidden = false;

    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      panel.hidden = false;
      try {
        const sum = await hashBlob(file, progress(bar, status, "Hashing"));
        status.textContent = `Hashed ${formatBytes(file.size)} in your browser; the file was not uploaded.`;
        await hashed(sum);
      } catch (err) {
        if (failed) failed(err);
        else status.textContent = "Could not read the file: " + err.message;
      }
    });
  }

  // fileTitle is the title a file's name gives, as the server makes it
  // (check.Tidy, check.Shorten): trimmed, without the characters that show
  // nothing, cut to max characters with "…".
  function fileTitle(name, max = 200) {
    const chars = Array.from(name.replace(/[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2064\u3164\ufeff\uffa0]/g, "").trim());
    return chars.length <= max ? chars.join("") : chars.slice(0, max - 1).join("").trim() + "…";
  }

  global.ChanceryHash = {
    Sha256, CHUNK, hashBlob, sha256Hex, csrfToken, upload, postJSON, formatBytes,
    formatTime, el, flash, errorText, progress, fileForm, pickFile, fileTitle,
  };
})(window);
