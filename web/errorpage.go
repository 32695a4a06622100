package web

import (
	"fmt"
	"html"
	"net/http"

	"github.com/chancery/chancery/shared/errs"
)

// errorPage is the HTML shown to a browser for a failed page request.
func errorPage(status int, e *errs.Error) string {
	return fmt.Sprintf(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%d %s · Chancery</title></head>`+
		`<body><main><h1>%d %s</h1><p>%s</p><p><code>%s</code></p><p><a href="/">Back to Chancery</a></p></main></body></html>`,
		status, http.StatusText(status), status, http.StatusText(status), html.EscapeString(e.Message), html.EscapeString(e.Code))
}
