package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// runHealth asks a node's /readyz whether it is ready: caught up with the
// chain and its dependencies answering. It is the container health check —
// the image is FROM scratch, so there is no shell or curl to ask with — and
// exits 0 when ready, else 1 with one line saying why.
func runHealth(args []string, stdout io.Writer) error {
	fs := newFlags("health")
	base := fs.String("url", defaultHealthURL(os.LookupEnv), "base URL of the node's HTTP server")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q: want http://host:port", *base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	target := strings.TrimSuffix(u.String(), "/") + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	// Straight to the node: a proxy from the environment has no business
	// answering for it.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	res, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not ready: GET %s: %v", target, err)
	}
	defer res.Body.Close()
	var ready struct {
		Ready  bool `json:"ready"`
		Checks []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"checks"`
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	decodeErr := json.Unmarshal(body, &ready)
	if res.StatusCode == http.StatusOK && decodeErr == nil && ready.Ready {
		fmt.Fprintln(stdout, "ready")
		return nil
	}
	var failed []string
	for _, c := range ready.Checks {
		if !c.OK {
			failed = append(failed, c.Name+": "+c.Error)
		}
	}
	if len(failed) == 0 {
		return fmt.Errorf("not ready: GET %s: %s", target, res.Status)
	}
	return fmt.Errorf("not ready: %s", strings.Join(failed, "; "))
}

// defaultHealthURL is the node this host runs: CHANCERY_HTTP_ADDR if set,
// with a wildcard host asked on loopback, else the default address.
func defaultHealthURL(lookup func(string) (string, bool)) string {
	addr := "127.0.0.1:8080"
	if v, ok := lookup("CHANCERY_HTTP_ADDR"); ok && v != "" {
		addr = v
		if host, port, err := net.SplitHostPort(v); err == nil {
			if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
		}
	}
	return "http://" + addr
}
