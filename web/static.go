package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"
)

// The console's static assets, built into the binary.
//
//go:embed static
var staticFS embed.FS

type asset struct {
	data  []byte
	etag  string
	ctype string
}

// assets are the embedded files by path under /static/, read once.
var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out["/"+p] = asset{
			data:  data,
			etag:  `"` + hex.EncodeToString(sum[:8]) + `"`,
			ctype: mime.TypeByExtension(path.Ext(p)),
		}
		return nil
	})
	if err != nil {
		panic("web: embedded static files: " + err.Error()) // a build defect
	}
	return out
}

// StaticURL is the address of an embedded asset, with its content hash as a
// version so that browsers may cache it for long and still see a new build.
func StaticURL(p string) string {
	a, ok := assets[p]
	if !ok {
		return p
	}
	return p + "?v=" + a.etag[1:len(a.etag)-1]
}

// serveStatic answers /static/… from the embedded files, with an ETag and a
// day of caching (a year when the URL names the version).
func serveStatic(c echo.Context) error {
	a, ok := assets[c.Request().URL.Path]
	if !ok {
		return ErrNotFound
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, a.ctype)
	h.Set("ETag", a.etag)
	if c.QueryParam("v") != "" {
		h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		h.Set(echo.HeaderCacheControl, "public, max-age=86400")
	}
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(a.data))
	return nil
}
