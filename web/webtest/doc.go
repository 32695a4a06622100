// Package webtest runs the web server in tests, as a browser and a script
// see it, over a real chain without consensus. Only tests import it.
//
// New starts a server (web.New) over a Chain — web.Chain over
// chain/chaintest: the real modules and state, every block kept with a fixed
// hash and time so that pages render the same on every run — with an
// in-memory keyring holding the test's users and, if asked, a blob store in a
// temporary directory. The test then mounts the routes it tests (an app's
// handler, membersweb) on Env.Server. A Client is a browser: it keeps
// cookies, asks for HTML and sends forms with the CSRF token as a page
// would; Env.API is a script with an API token. SignFixed signs a history's
// transactions with fixed nonces, so that their hashes, and the pages that
// show them, do not change between runs.
//
// Golden compares a page with testdata/golden of the test's package; go
// test -update rewrites the files instead. Readable puts each tag of a page
// on a line of its own, for diffs a reader can follow, and GoldenCSRF pins
// the token a page carries.
package webtest
